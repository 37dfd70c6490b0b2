/**
 * fastText 0.9.2's Dictionary: words and labels with counts, the open-addressing lookup,
 * thresholding (minCount / minCountLabel), char n-gram subwords, word n-gram hashing into
 * buckets, pruning for quantized models, and the dictionary block of the .bin file.
 * Words are kept as bytes in one pool so lookups compare bytes and never build strings.
 */
import type { FastTextArgs } from "./args.js";
import { FAST_BIGRAM_BUCKETS, bigramBucket, fnv1a, wordNgramBuckets } from "./hash.js";
import { IntBuffer } from "./intbuf.js";
import { BOW, EOS_BYTES, EOW, IS_SPACE } from "./tokenizer.js";
import type { ByteReader, ByteWriter } from "./bytes.js";

export const WORD = 0;
export const LABEL = 1;
const decoder = new TextDecoder();
const EOS_HASH = fnv1a(EOS_BYTES) | 0;

export class Dictionary {
  size = 0;
  nwords = 0;
  nlabels = 0;
  ntokens = 0;
  /** -1: never pruned; otherwise the number of kept n-gram buckets. */
  pruneidxSize = -1;
  pruneidx = new Map<number, number>();
  /** The pairs in file order, so a loaded pruned model is written back byte-identically. */
  pruneOrder: Array<[number, number]> = [];

  pool = new Uint8Array(1 << 16);
  poolLen = 0;
  off = new Int32Array(1024);
  len = new Int32Array(1024);
  hash = new Uint32Array(1024);
  counts = new Float64Array(1024);
  types = new Int8Array(1024);
  private table = new Int32Array(2048).fill(-1);
  private mask = 2047;

  /** Subwords of each entry (CSR): the entry itself then its char n-gram ids. */
  subStart: Int32Array = new Int32Array(1);
  subIds: Int32Array = new Int32Array(0);

  readonly labelPrefix: Uint8Array;
  readonly bucket: number;
  readonly minn: number;
  readonly maxn: number;
  readonly wordNgrams: number;
  private readonly scratch = new IntBuffer(256);
  private readonly hashesBuf = new IntBuffer(256);
  private wordBuf = new Uint8Array(256);
  private ngramOut: IntBuffer | null = null;
  private readonly emitNgram = (id: number): void => this.pushHash(this.ngramOut!, id);

  constructor(args: Pick<FastTextArgs, "label" | "bucket" | "minn" | "maxn" | "wordNgrams">) {
    this.labelPrefix = new TextEncoder().encode(args.label);
    this.bucket = args.bucket;
    this.minn = args.minn;
    this.maxn = args.maxn;
    this.wordNgrams = args.wordNgrams;
  }

  // ---------------------------------------------------------------- entries

  word(i: number): string {
    return decoder.decode(this.pool.subarray(this.off[i], this.off[i] + this.len[i]));
  }
  wordBytes(i: number): Uint8Array {
    return this.pool.subarray(this.off[i], this.off[i] + this.len[i]);
  }
  get labels(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.nlabels; i++) out.push(this.word(this.nwords + i));
    return out;
  }
  labelCounts(): Float64Array {
    return this.counts.slice(this.nwords, this.nwords + this.nlabels);
  }

  isLabel(buf: Uint8Array, s: number, e: number): boolean {
    const p = this.labelPrefix;
    if (e - s < p.length) return false;
    for (let i = 0; i < p.length; i++) if (buf[s + i] !== p[i]) return false;
    return true;
  }

  private same(i: number, buf: Uint8Array, s: number, e: number): boolean {
    const n = e - s;
    if (this.len[i] !== n) return false;
    const o = this.off[i];
    const pool = this.pool;
    for (let k = 0; k < n; k++) if (pool[o + k] !== buf[s + k]) return false;
    return true;
  }

  /** Slot of the word in the lookup table (empty slot when absent). */
  private find(buf: Uint8Array, s: number, e: number, h: number): number {
    const table = this.table;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const id = table[slot];
      if (id === -1 || (this.hash[id] === h && this.same(id, buf, s, e))) return slot;
      slot = (slot + 1) & mask;
    }
  }

  getId(buf: Uint8Array, s: number, e: number, h = fnv1a(buf, s, e)): number {
    return this.table[this.find(buf, s, e, h)];
  }
  idOf(word: string): number {
    const b = new TextEncoder().encode(word);
    return this.getId(b, 0, b.length);
  }

  private ensureEntries(n: number): void {
    if (n <= this.off.length) return;
    let cap = this.off.length * 2;
    while (cap < n) cap *= 2;
    const grow = <T extends Int32Array | Uint32Array | Float64Array | Int8Array>(a: T, C: new (n: number) => T): T => {
      const b = new C(cap);
      b.set(a as never);
      return b;
    };
    this.off = grow(this.off, Int32Array);
    this.len = grow(this.len, Int32Array);
    this.hash = grow(this.hash, Uint32Array);
    this.counts = grow(this.counts, Float64Array);
    this.types = grow(this.types, Int8Array);
  }

  private rehash(minSlots: number): void {
    let cap = this.table.length;
    while (cap < minSlots) cap *= 2;
    this.table = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    for (let i = 0; i < this.size; i++) this.table[this.find(this.pool, this.off[i], this.off[i] + this.len[i], this.hash[i])] = i;
  }

  /** Appends a new entry (no lookup); used by add() and by the model loader. */
  private append(buf: Uint8Array, s: number, e: number, h: number, count: number, type: number): number {
    const n = e - s;
    if (this.poolLen + n > this.pool.length) {
      let cap = this.pool.length * 2;
      while (cap < this.poolLen + n) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.pool.subarray(0, this.poolLen));
      this.pool = next;
    }
    this.ensureEntries(this.size + 1);
    const id = this.size++;
    this.pool.set(buf.subarray(s, e), this.poolLen);
    this.off[id] = this.poolLen;
    this.len[id] = n;
    this.poolLen += n;
    this.hash[id] = h;
    this.counts[id] = count;
    this.types[id] = type;
    if (this.size * 2 > this.table.length) this.rehash(this.size * 2);
    else this.table[this.find(buf, s, e, h)] = id;
    return id;
  }

  /** Counts one occurrence (Dictionary::add); returns the provisional entry id. */
  add(buf: Uint8Array, s: number, e: number, h = fnv1a(buf, s, e)): number {
    this.ntokens++;
    const slot = this.find(buf, s, e, h);
    const id = this.table[slot];
    if (id !== -1) {
      this.counts[id]++;
      return id;
    }
    return this.append(buf, s, e, h, 1, this.isLabel(buf, s, e) ? LABEL : WORD);
  }

  /**
   * Dictionary::threshold: keeps words with count >= t and labels with count >= tl, ordered
   * words first then labels, each by decreasing count (ties keep first-seen order).
   * Returns the map from old entry id to new id (-1 when dropped).
   */
  threshold(t: number, tl: number): Int32Array {
    const order: number[] = [];
    for (let i = 0; i < this.size; i++) {
      const keep = this.types[i] === WORD ? this.counts[i] >= t : this.counts[i] >= tl;
      if (keep) order.push(i);
    }
    const types = this.types;
    const counts = this.counts;
    order.sort((a, b) => types[a] - types[b] || counts[b] - counts[a]);
    const remap = new Int32Array(this.size).fill(-1);
    const old = { pool: this.pool, off: this.off, len: this.len, hash: this.hash, counts: this.counts, types: this.types };
    const n = order.length;
    this.size = 0;
    this.poolLen = 0;
    this.nwords = 0;
    this.nlabels = 0;
    this.pool = new Uint8Array(Math.max(16, order.reduce((acc, i) => acc + old.len[i], 0)));
    this.off = new Int32Array(Math.max(16, n));
    this.len = new Int32Array(Math.max(16, n));
    this.hash = new Uint32Array(Math.max(16, n));
    this.counts = new Float64Array(Math.max(16, n));
    this.types = new Int8Array(Math.max(16, n));
    let cap = 16;
    while (cap < n * 2) cap *= 2;
    this.table = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    for (const i of order) {
      const o = old.off[i];
      remap[i] = this.append(old.pool, o, o + old.len[i], old.hash[i], old.counts[i], old.types[i]);
      if (old.types[i] === WORD) this.nwords++;
      else this.nlabels++;
    }
    return remap;
  }

  // ---------------------------------------------------------------- subwords

  /** pushHash: maps a bucket id through the prune index and offsets it past the words. */
  pushHash(out: IntBuffer, id: number): void {
    if (this.pruneidxSize === 0 || id < 0) return;
    if (this.pruneidxSize > 0) {
      const p = this.pruneidx.get(id);
      if (p === undefined) return;
      id = p;
    }
    out.push(this.nwords + id);
  }

  /**
   * computeSubwords over `<word>`: every char n-gram of minn..maxn UTF-8 characters, except
   * the lone `<` and `>`.
   */
  computeSubwords(word: Uint8Array, s: number, e: number, out: IntBuffer): void {
    const n = e - s + 2;
    if (this.wordBuf.length < n) this.wordBuf = new Uint8Array(n * 2);
    const w = this.wordBuf;
    w[0] = BOW;
    w.set(word.subarray(s, e), 1);
    w[n - 1] = EOW;
    const maxn = this.maxn;
    const minn = this.minn;
    const bucket = this.bucket;
    for (let i = 0; i < n; i++) {
      if ((w[i] & 0xc0) === 0x80) continue;
      let j = i;
      for (let k = 1; j < n && k <= maxn; k++) {
        j++;
        while (j < n && (w[j] & 0xc0) === 0x80) j++;
        if (k >= minn && !(k === 1 && (i === 0 || j === n))) this.pushHash(out, fnv1a(w, i, j) % bucket);
      }
    }
  }

  /** initNgrams: precomputes every entry's subword list. */
  initNgrams(): void {
    const starts = new Int32Array(this.size + 1);
    const ids = new IntBuffer(Math.max(16, this.size));
    for (let i = 0; i < this.size; i++) {
      starts[i] = ids.len;
      ids.push(i);
      const o = this.off[i];
      const isEos = this.len[i] === EOS_BYTES.length && this.same(i, EOS_BYTES, 0, EOS_BYTES.length);
      if (!isEos && this.maxn > 0) this.computeSubwords(this.pool, o, o + this.len[i], ids);
    }
    starts[this.size] = ids.len;
    this.subStart = starts;
    this.subIds = ids.toArray();
  }

  /** Input rows for one token (addSubwords): an in-vocabulary word, or an OOV word's n-grams. */
  addSubwords(out: IntBuffer, buf: Uint8Array, s: number, e: number, wid: number): void {
    if (wid < 0) {
      const isEos = e - s === 4 && buf[s] === 0x3c && buf[s + 1] === 0x2f && buf[s + 2] === 0x73 && buf[s + 3] === 0x3e;
      if (!isEos && this.maxn > 0) this.computeSubwords(buf, s, e, out);
    } else if (this.maxn <= 0) {
      out.push(wid);
    } else {
      for (let k = this.subStart[wid]; k < this.subStart[wid + 1]; k++) out.push(this.subIds[k]);
    }
  }

  /** addWordNgrams over the int32 word hashes of a line. */
  addWordNgrams(out: IntBuffer, hashes: Int32Array, n: number): void {
    if (this.wordNgrams <= 1) return;
    if (this.wordNgrams === 2 && this.pruneidxSize < 0 && this.bucket < FAST_BIGRAM_BUCKETS) {
      // the common case (BETR, DCLM, the benchmarks): no callback, no prune lookup
      const base = this.nwords;
      const bucket = this.bucket;
      if (out.data.length < out.len + n) out.grow(out.len + n);
      const d = out.data;
      let len = out.len;
      for (let i = 0; i + 1 < n; i++) d[len++] = base + bigramBucket(hashes[i], hashes[i + 1], bucket);
      out.len = len;
      return;
    }
    this.ngramOut = out;
    wordNgramBuckets(hashes, 0, n, this.wordNgrams, this.bucket, this.emitNgram);
    this.ngramOut = null;
  }

  /**
   * Dictionary::getLine on one line of bytes [s, e): input rows to `words`, label indices to
   * `labels`. Newlines inside the range are treated as plain separators; `eos` appends the
   * `</s>` token that a newline-terminated line ends with. Returns the token count.
   */
  lineFeatures(buf: Uint8Array, s: number, e: number, eos: boolean, words: IntBuffer, labels: IntBuffer | null): number {
    words.clear();
    if (labels) labels.clear();
    const hashes = this.hashesBuf;
    // a token takes at least one byte and one separator: this bounds the tokens (and bigrams)
    const maxTok = ((e - s + 1) >> 1) + 1;
    if (hashes.data.length < maxTok) hashes.grow(maxTok);
    const noSub = this.maxn <= 0;
    if (noSub && words.data.length < 2 * maxTok) words.grow(2 * maxTok);
    const hd = hashes.data;
    const wd = words.data;
    let hn = 0;
    let wn = 0;
    const table = this.table;
    const mask = this.mask;
    const entryHash = this.hash;
    const types = this.types;
    const nwords = this.nwords;
    let ntok = 0;
    let i = s;
    for (;;) {
      while (i < e && IS_SPACE[buf[i]] === 1) i++;
      let ts: number, te: number, tb: Uint8Array, h: number;
      if (i < e) {
        // scan the token and hash it in one pass (FNV-1a over sign-extended bytes)
        ts = i;
        h = -2128831035; // 2166136261 as int32
        for (; i < e; i++) {
          const b = buf[i];
          if (IS_SPACE[b] === 1) break;
          h = Math.imul(h ^ ((b << 24) >> 24), 16777619);
        }
        te = i;
        tb = buf;
      } else if (eos) {
        tb = EOS_BYTES;
        ts = 0;
        te = 4;
        h = EOS_HASH;
        eos = false;
      } else break;
      ntok++;
      const hu = h >>> 0;
      let slot = hu & mask;
      let wid: number;
      for (;;) {
        wid = table[slot];
        if (wid === -1 || (entryHash[wid] === hu && this.same(wid, tb, ts, te))) break;
        slot = (slot + 1) & mask;
      }
      if (wid >= 0 ? types[wid] === LABEL : this.isLabel(tb, ts, te)) {
        if (wid >= 0 && labels) labels.push(wid - nwords);
        continue;
      }
      if (noSub) {
        if (wid >= 0) wd[wn++] = wid;
      } else {
        words.len = wn;
        this.addSubwords(words, tb, ts, te, wid);
        wn = words.len;
      }
      hd[hn++] = h;
    }
    words.len = wn;
    hashes.len = hn;
    this.addWordNgrams(words, hd, hn);
    return ntok;
  }

  // ---------------------------------------------------------------- pruning (quantize -cutoff)

  /** Dictionary::prune: keeps the given input rows; `idx` is rewritten in the new row order. */
  prune(idx: number[]): number[] {
    const words: number[] = [];
    const ngrams: number[] = [];
    for (const i of idx) (i < this.nwords ? words : ngrams).push(i);
    words.sort((a, b) => a - b);
    const outIdx = [...words];
    if (ngrams.length) {
      let j = 0;
      for (const ng of ngrams) {
        const key = ng - this.nwords;
        if (!this.pruneidx.has(key)) this.pruneOrder.push([key, j]);
        else this.pruneOrder = this.pruneOrder.map(([k, v]) => (k === key ? [k, j] : [k, v]));
        this.pruneidx.set(key, j);
        j++;
      }
      for (const ng of ngrams) outIdx.push(ng);
    }
    this.pruneidxSize = this.pruneidx.size;
    const keep: number[] = [];
    let j = 0;
    for (let i = 0; i < this.size; i++) {
      if (this.types[i] === LABEL || (j < words.length && words[j] === i)) {
        keep.push(i);
        if (this.types[i] === WORD) j++;
      }
    }
    const old = { pool: this.pool, off: this.off, len: this.len, hash: this.hash, counts: this.counts, types: this.types };
    this.size = 0;
    this.poolLen = 0;
    this.table.fill(-1);
    for (const i of keep) this.append(old.pool.slice(old.off[i], old.off[i] + old.len[i]), 0, old.len[i], old.hash[i], old.counts[i], old.types[i]);
    this.nwords = words.length;
    this.initNgrams();
    return outIdx;
  }

  // ---------------------------------------------------------------- (de)serialisation

  save(w: ByteWriter): void {
    w.i32(this.size);
    w.i32(this.nwords);
    w.i32(this.nlabels);
    w.i64(this.ntokens);
    w.i64(this.pruneidxSize);
    for (let i = 0; i < this.size; i++) {
      w.bytes(this.wordBytes(i));
      w.u8(0);
      w.i64(this.counts[i]);
      w.i8(this.types[i]);
    }
    for (const [k, v] of this.pruneOrder) {
      w.i32(k);
      w.i32(v);
    }
  }

  static load(r: ByteReader, args: Pick<FastTextArgs, "label" | "bucket" | "minn" | "maxn" | "wordNgrams">): Dictionary {
    const d = new Dictionary(args);
    const size = r.i32("dictionary size");
    const nwords = r.i32("nwords");
    const nlabels = r.i32("nlabels");
    if (size < 0 || nwords < 0 || nlabels < 0 || nwords + nlabels !== size) throw new Error(`invalid model file: dictionary sizes ${size} != ${nwords} + ${nlabels}`);
    d.ntokens = r.i64("ntokens");
    d.pruneidxSize = r.i64("pruneidx size");
    for (let i = 0; i < size; i++) {
      const wb = r.cstring("dictionary word");
      const count = r.i64("word count");
      const type = r.i8("entry type");
      if (type !== WORD && type !== LABEL) throw new Error(`invalid model file: entry type ${type} for word ${i}`);
      d.append(wb, 0, wb.length, fnv1a(wb), count, type);
    }
    d.nwords = nwords;
    d.nlabels = nlabels;
    for (let i = 0; i < d.pruneidxSize; i++) {
      const k = r.i32("pruneidx key");
      const v = r.i32("pruneidx value");
      d.pruneidx.set(k, v);
      d.pruneOrder.push([k, v]);
    }
    d.initNgrams();
    return d;
  }
}
