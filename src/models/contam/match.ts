/**
 * Matching one document against the index: tokenise; probe the stride filter with the k-grams
 * at every `stride`-th word (most clean documents end here); only if one passes, slide an
 * n-word window (rolling key, one probe per word); and, when the index holds items shorter than n words, a `minShort`-word
 * anchor window whose hits are verified against each candidate's whole word sequence. Misses,
 * the common case, allocate nothing; a document with hits gets its per-item counts of distinct
 * shared n-grams and the word positions of every hit (for highlighting).
 */
import { probe, type ContamIndex } from "./index-image.js";
import { BASE_A, BASE_B, power } from "./ngram.js";
import { tokenize, WordBuffer } from "./words.js";

export interface ItemHit {
  item: number;
  /** Distinct n-grams shared with the item (1 for a whole short item). */
  ngrams: number;
  /** True when the item is shorter than n words and occurs whole. */
  whole: boolean;
  /** Word ranges [from, to) of the document covered by the matches, merged, in order. */
  words: Array<[number, number]>;
}

export class Matcher {
  readonly buf = new WordBuffer();
  private readonly pa: number;
  private readonly pb: number;
  // hits of the current document: word position and table slot (or short item + 2^30 flag)
  private hitPos = new Int32Array(64);
  private hitSlot = new Int32Array(64);
  private hitKind = new Uint8Array(64);
  private hitLen = new Int32Array(64);
  // prefix hashes of the current document (short items only) and powers of the bases
  private prefA = new Int32Array(0);
  private prefB = new Int32Array(0);
  private readonly powA: Int32Array;
  private readonly powB: Int32Array;
  private nHits = 0;
  words = 0;

  constructor(readonly index: ContamIndex) {
    this.pa = power(BASE_A, index.n - 1);
    this.pb = power(BASE_B, index.n - 1);
    this.powA = Int32Array.from({ length: index.n + 1 }, (_, k) => power(BASE_A, k));
    this.powB = Int32Array.from({ length: index.n + 1 }, (_, k) => power(BASE_B, k));
  }

  /** Tokenises and matches `text`; returns the number of hits (0 = clean). */
  match(text: string): number {
    const count = tokenize(text, this.buf);
    this.words = count;
    this.nHits = 0;
    const ix = this.index;
    let prefixed = false;
    if (count >= ix.n && ix.cap > 1) {
      let scan = true;
      if (ix.stride > 1) {
        this.prefix(count);
        prefixed = true;
        scan = this.strideHit(count);
      }
      if (scan) this.scan(count);
    }
    if (ix.shorts > 0 && count >= ix.minShort) {
      if (!prefixed) this.prefix(count);
      this.matchShort(count);
    }
    return this.nHits;
  }

  /** Prefix hashes of the current document's words (stride filter and short items). */
  private prefix(count: number): void {
    const a = this.buf.a;
    const b = this.buf.b;
    if (this.prefA.length < count + 1) {
      this.prefA = new Int32Array(2 * (count + 1));
      this.prefB = new Int32Array(2 * (count + 1));
    }
    const pA = this.prefA;
    const pB = this.prefB;
    for (let i = 0; i < count; i++) {
      pA[i + 1] = (Math.imul(pA[i]!, BASE_A) + a[i]!) | 0;
      pB[i + 1] = (Math.imul(pB[i]!, BASE_B) + b[i]!) | 0;
    }
  }

  /**
   * Whether any k-gram (k = n + 1 - stride) at a word position that is a multiple of the stride
   * passes the stride filter. An n-gram shared with an item at position q holds the k-gram at
   * the first multiple p >= q (p <= q + stride - 1, so p + k <= q + n), an item's k-gram: false
   * means no shared n-gram.
   */
  private strideHit(count: number): boolean {
    const ix = this.index;
    const stride = ix.stride;
    const k = ix.n + 1 - stride;
    const pA = this.prefA;
    const pB = this.prefB;
    const qa = this.powA[k]!;
    const qb = this.powB[k]!;
    const sf = ix.sfilter;
    const scale = ix.sfilterScale;
    for (let p = 0; p + k <= count; p += stride) {
      const ka = (pA[p + k]! - Math.imul(pA[p]!, qa)) | 0;
      let kb = (pB[p + k]! - Math.imul(pB[p]!, qb)) | 0;
      if (ka === 0 && kb === 0) kb = 1;
      // strideMask, inlined
      const m = (1 << (ka & 31)) | (1 << ((ka >>> 5) & 31)) | (1 << ((ka >>> 10) & 31)) | (1 << ((ka >>> 15) & 31)) | (1 << ((ka >>> 20) & 31));
      if ((sf[((kb >>> 0) * scale) | 0]! & m) === m) return true;
    }
    return false;
  }

  /** The n-word window over the whole document. */
  private scan(count: number): void {
    const ix = this.index;
    const a = this.buf.a;
    const b = this.buf.b;
    const n = ix.n;
    const keys = ix.keys;
    const cap = ix.cap;
    const scale = ix.scale;
    let ha = 0;
    let hb = 0;
    for (let j = 0; j < n; j++) {
      ha = (Math.imul(ha, BASE_A) + a[j]!) | 0;
      hb = (Math.imul(hb, BASE_B) + b[j]!) | 0;
    }
    const filter = ix.filter;
    const shift = ix.filterShift;
    const pa = this.pa;
    const pb = this.pb;
    for (let i = 0; ; i++) {
      const kb = ha === 0 && hb === 0 ? 1 : hb;
      // this loop runs once per corpus word: the filter rejects most absent n-grams with one
      // look at one word (filterMask, inlined)
      const fm = (1 << (ha & 31)) | (1 << ((ha >>> 5) & 31)) | (1 << ((ha >>> 10) & 31)) | (1 << ((ha >>> 15) & 31));
      if ((filter[kb >>> shift]! & fm) !== fm) {
        if (i + n >= count) break;
        ha = (Math.imul((ha - Math.imul(a[i]!, pa)) | 0, BASE_A) + a[i + n]!) | 0;
        hb = (Math.imul((hb - Math.imul(b[i]!, pb)) | 0, BASE_B) + b[i + n]!) | 0;
        continue;
      }
      let s = ((ha >>> 0) * scale) | 0;
      for (;;) {
        const xa = keys[2 * s]!;
        const xb = keys[2 * s + 1]!;
        if (xa === ha && xb === kb) {
          this.push(i, s, 0, n);
          break;
        }
        if (xa === 0 && xb === 0) break;
        if (++s === cap) s = 0;
      }
      if (i + n >= count) break;
      ha = (Math.imul((ha - Math.imul(a[i]!, pa)) | 0, BASE_A) + a[i + n]!) | 0;
      hb = (Math.imul((hb - Math.imul(b[i]!, pb)) | 0, BASE_B) + b[i + n]!) | 0;
    }
  }

  /**
   * Short items: one probe per word for the anchor (the first minShort words of some short
   * item); on a hit, one probe per distinct length of the items with that anchor, for the whole
   * word sequence. Prefix hashes (computed by the caller) make every k-word key O(1).
   */
  private matchShort(count: number): void {
    const ix = this.index;
    const pA = this.prefA;
    const pB = this.prefB;
    const m = ix.minShort;
    const powA = this.powA;
    const powB = this.powB;
    for (let i = 0; i + m <= count; i++) {
      const ka = (pA[i + m]! - Math.imul(pA[i]!, powA[m]!)) | 0;
      let kb = (pB[i + m]! - Math.imul(pB[i]!, powB[m]!)) | 0;
      if (ka === 0 && kb === 0) kb = 1;
      const s = probe(ix.akeys, ix.anchorCap, ix.anchorScale, ka, kb);
      if (s < 0) continue;
      const v = ix.avals[s]!;
      if (v >= 0) this.whole(i, v, count);
      else {
        const off = ~v;
        const c = ix.apost[off]!;
        for (let k = 1; k <= c; k++) this.whole(i, ix.apost[off + k]!, count);
      }
    }
  }

  private whole(i: number, len: number, count: number): void {
    if (i + len > count) return;
    const pA = this.prefA;
    const pB = this.prefB;
    const ka = (pA[i + len]! - Math.imul(pA[i]!, this.powA[len]!)) | 0;
    let kb = (pB[i + len]! - Math.imul(pB[i]!, this.powB[len]!)) | 0;
    if (ka === 0 && kb === 0) kb = 1;
    const s = probe(this.index.wkeys, this.index.wholeCap, this.index.wholeScale, ka, kb);
    if (s >= 0) this.push(i, s, 1, len);
  }

  private push(pos: number, slot: number, kind: number, len: number): void {
    if (this.nHits === this.hitPos.length) {
      const g = <T extends Int32Array | Uint8Array>(x: T): T => {
        const y = new (x.constructor as { new (n: number): T })(x.length * 2);
        y.set(x);
        return y;
      };
      this.hitPos = g(this.hitPos);
      this.hitSlot = g(this.hitSlot);
      this.hitKind = g(this.hitKind);
      this.hitLen = g(this.hitLen);
    }
    this.hitPos[this.nHits] = pos;
    this.hitSlot[this.nHits] = slot;
    this.hitLen[this.nHits] = len;
    this.hitKind[this.nHits++] = kind;
  }

  /** The items hit by the last matched document, by item id. */
  hits(): ItemHit[] {
    const ix = this.index;
    const byItem = new Map<number, { slots: Set<number>; whole: boolean; ranges: Array<[number, number]> }>();
    for (let h = 0; h < this.nHits; h++) {
      const pos = this.hitPos[h]!;
      const kind = this.hitKind[h]!;
      const slot = this.hitSlot[h]!;
      const items = kind === 0 ? ix.itemsOf(ix.vals[slot]!) : ix.itemsOf(ix.wvals[slot]!, ix.wpost);
      const len = this.hitLen[h]!;
      for (const item of items) {
        let e = byItem.get(item);
        if (!e) byItem.set(item, (e = { slots: new Set(), whole: kind === 1, ranges: [] }));
        e.slots.add(kind === 0 ? slot : -1);
        e.ranges.push([pos, pos + len]);
      }
    }
    const out: ItemHit[] = [];
    for (const [item, e] of byItem) out.push({ item, ngrams: e.slots.size, whole: e.whole, words: mergeRanges(e.ranges) });
    return out.sort((x, y) => x.item - y.item);
  }

  /** Character span [start, end) in the document of words [from, to). */
  charSpan(from: number, to: number): [number, number] {
    return [this.buf.start[from]!, this.buf.end[to - 1]!];
  }
}

function mergeRanges(r: Array<[number, number]>): Array<[number, number]> {
  r.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of r) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}
