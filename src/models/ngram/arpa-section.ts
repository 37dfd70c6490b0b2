/**
 * The n-gram lines of one ARPA section, parsed from a byte range by one thread of a parallel
 * load (see backends/lm/ngram-load.ts). A line becomes a record [key hi, key lo, log10 p bits,
 * log10 backoff bits] and, for orders above 2, the key of its suffix w2..wn, which must be
 * flagged as extending left. Nothing is inserted here: records are counted per bucket (the
 * top bits of key lo, hence of the home slot in the table) so that they can be scattered into
 * bucket order and inserted a small table window at a time, instead of one cache miss per line.
 * Anything the sequential parser would report or handle specially (a bad number, a word not
 * among the unigrams, a blank line, a positive log probability) makes parse() return false:
 * the caller then loads the file with the sequential parser, which gives the exact message.
 */
import { NUMBER_AT, parseArpaNumber, sharedSuffixWords, WS } from "./arpa-fields.js";
import { keyExtendAt, keyStartAt } from "./key.js";
import { HASH, hashWord, type Vocab } from "./vocab.js";
// local copies: under a CommonJS transform (tsx) an imported binding costs a getter call per use
const keyStartAt_ = keyStartAt, keyExtendAt_ = keyExtendAt, HASH_ = HASH, hashWord_ = hashWord;
/** A small direct-mapped cache of word ids by hash in front of the vocabulary: frequent words
 * are looked up over and over, and the vocabulary's table is far larger than the cache. */
const CACHE_BITS = 12;

/** Records are bucketed by the top BUCKET_BITS bits of key lo. */
export const BUCKET_BITS = 12;
export const BUCKETS = 1 << BUCKET_BITS;
const SHIFT = 32 - BUCKET_BITS;

const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);
const bits = (x: number): number => {
  F32[0] = x;
  return I32[0];
};

export class SectionParser {
  /** records [hi, lo, prob bits, backoff bits] */
  recs: Int32Array;
  count = 0;
  /** suffix keys [hi, lo] (consecutive repeats dropped) */
  sufs: Int32Array;
  sufCount = 0;
  hist = new Int32Array(BUCKETS);
  sufHist = new Int32Array(BUCKETS);
  private pos = 0;
  private ids: Int32Array;
  private ws: Int32Array;
  private we: Int32Array;
  private keyHi: Int32Array;
  private keyLo: Int32Array;
  private prevBuf: Uint8Array = new Uint8Array(0);
  private prevWs: Int32Array;
  private prevWe: Int32Array;
  private hasPrev = false;
  /** [hash, hash2, id] per cache slot; id -1 when empty */
  private cache = new Int32Array(3 << CACHE_BITS).fill(-1);

  constructor(
    private readonly vocab: Vocab,
    private readonly n: number,
    private readonly uniExtends: Uint8Array,
    /** lines expected at most (sized up front: untouched pages of a large array cost nothing) */
    capacity = 1 << 16,
  ) {
    this.recs = new Int32Array(Math.max(16, capacity) * 4);
    this.sufs = new Int32Array(n > 2 ? Math.max(16, capacity) * 2 : 16);
    this.ids = new Int32Array(n);
    this.ws = new Int32Array(n);
    this.we = new Int32Array(n);
    this.keyHi = new Int32Array(n);
    this.keyLo = new Int32Array(n);
    this.prevWs = new Int32Array(n);
    this.prevWe = new Int32Array(n);
  }

  /** Parses the complete lines of buf[s, e) (e just past a newline, or the range end); false when the sequential parser must take over. */
  parse(buf: Uint8Array, s: number, e: number): boolean {
    while (s < e) {
      let nl = buf.indexOf(10, s);
      if (nl < 0 || nl > e) nl = e;
      let end = nl;
      if (end > s && buf[end - 1] === 13) end--;
      if (end === s || !this.line(buf, s, end)) return false;
      s = nl + 1;
    }
    // the next range's lines live in another buffer
    this.hasPrev = false;
    return true;
  }

  private line(buf: Uint8Array, s: number, e: number): boolean {
    const n = this.n;
    if (buf[s] === 92 /* \ */) return false;
    this.pos = s;
    const prob = this.number(buf, e);
    if (!(prob <= 0)) return false;
    let p = this.pos;
    const ws = this.ws;
    const we = this.we;
    for (let k = 0; k < n; k++) {
      while (p < e && WS[buf[p]] === 1) p++;
      ws[k] = p;
      while (p < e && WS[buf[p]] !== 1) p++;
      we[k] = p;
      if (ws[k] === p) return false;
    }
    while (p < e && WS[buf[p]] === 1) p++;
    let backoff = 0;
    if (p < e) {
      this.pos = p;
      backoff = this.number(buf, e);
      if (!Number.isFinite(backoff)) return false;
      p = this.pos;
      while (p < e && WS[buf[p]] === 1) p++;
      if (p < e) return false;
    }
    // words shared at the end with the previous line keep their ids and keys
    const shared = this.hasPrev ? sharedSuffixWords(n, buf, ws, we, this.prevBuf, this.prevWs, this.prevWe) : 0;
    const ids = this.ids;
    const keyHi = this.keyHi;
    const keyLo = this.keyLo;
    for (let k = n - 1 - shared; k >= 0; k--) {
      hashWord_(buf, ws[k], we[k]);
      const h = HASH_.h;
      const h2 = HASH_.h2;
      const c = (h & ((1 << CACHE_BITS) - 1)) * 3;
      let id: number;
      if (this.cache[c + 2] >= 0 && this.cache[c] === h && this.cache[c + 1] === h2) id = this.cache[c + 2];
      else {
        id = this.vocab.findHashed(h, h2);
        if (id < 0) return false;
        this.cache[c] = h;
        this.cache[c + 1] = h2;
        this.cache[c + 2] = id;
      }
      ids[k] = id;
      if (k === n - 1) keyStartAt_(keyHi, keyLo, k, id);
      else keyExtendAt_(keyHi, keyLo, k, id);
    }
    if (shared < n - 1) {
      if (n === 2) this.uniExtends[ids[1]] = 1;
      else this.suffix(keyHi[1], keyLo[1]);
    }
    let c = this.count;
    if (c * 4 === this.recs.length) {
      const r = new Int32Array(this.recs.length * 2);
      r.set(this.recs);
      this.recs = r;
    }
    const o = c * 4;
    const lo = keyLo[0];
    this.recs[o] = keyHi[0];
    this.recs[o + 1] = lo;
    this.recs[o + 2] = bits(prob);
    this.recs[o + 3] = bits(backoff);
    this.hist[lo >>> SHIFT]++;
    this.count = ++c;
    this.prevBuf = buf;
    for (let k = 0; k < n; k++) {
      this.prevWs[k] = ws[k];
      this.prevWe[k] = we[k];
    }
    this.hasPrev = true;
    return true;
  }

  private suffix(hi: number, lo: number): void {
    const c = this.sufCount;
    if (c > 0 && this.sufs[c * 2 - 2] === hi && this.sufs[c * 2 - 1] === lo) return;
    if (c * 2 === this.sufs.length) {
      const r = new Int32Array(this.sufs.length * 2);
      r.set(this.sufs);
      this.sufs = r;
    }
    this.sufs[c * 2] = hi;
    this.sufs[c * 2 + 1] = lo;
    this.sufHist[lo >>> SHIFT]++;
    this.sufCount = c + 1;
  }

  /** The number at this.pos (arpa-number.ts); NaN when it is not one. */
  private number(buf: Uint8Array, e: number): number {
    const v = parseArpaNumber(buf, this.pos, e);
    this.pos = NUMBER_AT.end;
    return v;
  }
}

/** Copies records [hi, lo, prob, backoff] into `dst` at the running per-bucket offsets `at` (advanced). */
export function scatter4(src: Int32Array, count: number, dst: Int32Array, at: Int32Array): void {
  for (let i = 0; i < count; i++) {
    const o = i << 2;
    const lo = src[o + 1];
    const d = at[lo >>> SHIFT]++ << 2;
    dst[d] = src[o];
    dst[d + 1] = lo;
    dst[d + 2] = src[o + 2];
    dst[d + 3] = src[o + 3];
  }
}

/** scatter4 for keys [hi, lo]. */
export function scatter2(src: Int32Array, count: number, dst: Int32Array, at: Int32Array): void {
  for (let i = 0; i < count; i++) {
    const o = i << 1;
    const lo = src[o + 1];
    const d = at[lo >>> SHIFT]++ << 1;
    dst[d] = src[o];
    dst[d + 1] = lo;
  }
}
