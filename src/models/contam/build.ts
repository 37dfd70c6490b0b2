/**
 * Builds the contamination index from item texts in two passes over the items: the first only
 * counts n-grams (to size the table), the second inserts them into a working table; the image
 * is then allocated at its exact final size (load factor LOAD over the distinct n-grams) and
 * filled by rehashing (plus a ~8-bit-per-key filter, and the stride filter of the items'
 * k-grams, filled during the second pass), and the working arrays are dropped. An n-gram shared by several items
 * keeps all of them (postings, items ascending); an item counts an n-gram once.
 */
import { allocateImage, fillFilter, filterLog2For, insertNew, probe, strideAdd, type ContamIndex, type Layout } from "./index-image.js";
import { forEachNgram, kgramKey } from "./ngram.js";
import { tokenize, WordBuffer } from "./words.js";

/** Final load factor: a miss probes ~6 slots (2 cache lines), 17 bytes per distinct n-gram. */
export const LOAD = 0.7;

/**
 * Stride of the k-gram pre-filter (index-image.ts): 4, so k = n - 3 (10-grams for n = 13),
 * probed at every 4th document word; none for short n, where k-grams would be too common.
 */
export function strideFor(n: number): number {
  return n >= 8 ? 4 : 1;
}

export interface ItemSource {
  count: number;
  /** Calls fn for every item in order (called twice); `benchmark` is a small integer. */
  forEach(fn: (text: string, benchmark: number) => void): void;
}

export interface BuildStats {
  items: number;
  /** Items with no word at all once normalised (not indexed). */
  empty: number;
  /** Items shorter than n words (matched as a whole word sequence). */
  short: number;
  /** (item, distinct n-gram) pairs. */
  incidences: number;
  /** Distinct n-grams. */
  distinct: number;
  /** N-grams held by more than one item. */
  shared: number;
  bytes: number;
  seconds: number;
}

/** A working table with postings for keys held by several items. */
class WorkTable {
  readonly cap: number;
  readonly scale: number;
  keys: Int32Array;
  vals: Int32Array;
  distinct = 0;
  incidences = 0;
  // keys held by several items: first item, count, last item (dedupe within an item)
  private mFirst = new Int32Array(64);
  private mCount = new Int32Array(64);
  private mLast = new Int32Array(64);
  multi = 0;
  // extra (key, item) incidences beyond the first, in insertion order
  private pm = new Int32Array(256);
  private pi = new Int32Array(256);
  private pairs = 0;

  constructor(bound: number) {
    this.cap = Math.max(1, Math.ceil(bound / LOAD) + 1);
    this.scale = this.cap / 4294967296;
    this.keys = new Int32Array(2 * this.cap);
    this.vals = new Int32Array(this.cap);
  }

  insert(a: number, b: number, item: number): void {
    let s = ((a >>> 0) * this.scale) | 0;
    const keys = this.keys;
    for (;;) {
      const ka = keys[2 * s]!;
      const kb = keys[2 * s + 1]!;
      if (ka === 0 && kb === 0) {
        keys[2 * s] = a;
        keys[2 * s + 1] = b;
        this.vals[s] = item;
        this.distinct++;
        this.incidences++;
        return;
      }
      if (ka === a && kb === b) break;
      if (++s === this.cap) s = 0;
    }
    const v = this.vals[s]!;
    if (v >= 0) {
      if (v === item) return;
      const m = this.multi++;
      if (m === this.mFirst.length) {
        this.mFirst = grow(this.mFirst);
        this.mCount = grow(this.mCount);
        this.mLast = grow(this.mLast);
      }
      this.mFirst[m] = v;
      this.mCount[m] = 2;
      this.mLast[m] = item;
      this.vals[s] = ~m;
      this.pair(m, item);
    } else {
      const m = ~v;
      if (this.mLast[m] === item) return;
      this.mCount[m]!++;
      this.mLast[m] = item;
      this.pair(m, item);
    }
    this.incidences++;
  }

  private pair(m: number, item: number): void {
    if (this.pairs === this.pm.length) {
      this.pm = grow(this.pm);
      this.pi = grow(this.pi);
    }
    this.pm[this.pairs] = m;
    this.pi[this.pairs++] = item;
  }

  /** Words the postings runs will take. */
  postLen(): number {
    let len = 0;
    for (let m = 0; m < this.multi; m++) len += this.mCount[m]! + 1;
    return len;
  }

  finalCap(): number {
    return Math.max(1, Math.ceil(this.distinct / LOAD) + 1);
  }

  /** Rehashes into the image's table (cap = finalCap()) and writes the postings. */
  writeInto(keys: Int32Array, vals: Int32Array, cap: number, post: Int32Array): void {
    const off = new Int32Array(this.multi);
    const fill = new Int32Array(this.multi);
    let at = 0;
    for (let m = 0; m < this.multi; m++) {
      off[m] = at;
      post[at] = this.mCount[m]!;
      post[at + 1] = this.mFirst[m]!;
      fill[m] = at + 2;
      at += this.mCount[m]! + 1;
    }
    for (let p = 0; p < this.pairs; p++) post[fill[this.pm[p]!]!++] = this.pi[p]!;
    const scale = cap / 4294967296;
    for (let s = 0; s < this.cap; s++) {
      const a = this.keys[2 * s]!;
      const b = this.keys[2 * s + 1]!;
      if (a === 0 && b === 0) continue;
      const v = this.vals[s]!;
      insertNew(keys, vals, cap, scale, a, b, v >= 0 ? v : ~off[~v]!);
    }
  }
}

function grow(x: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const y = new Int32Array(x.length * 2);
  y.set(x);
  return y;
}

export interface BuildOptions {
  /** n-gram length (default 13). */
  n?: number;
  /** Allocate the image in a SharedArrayBuffer (default true). */
  shared?: boolean;
}

export function buildContamIndex(src: ItemSource, opts: BuildOptions = {}): { index: ContamIndex; stats: BuildStats } {
  const t0 = performance.now();
  const n = opts.n ?? 13;
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new RangeError(`n-gram length must be an integer in [1, 64], got ${n}`);
  const buf = new WordBuffer();
  // pass 1: sizes
  let bound = 0;
  let shorts = 0;
  let empty = 0;
  let minShort = n;
  const stride = strideFor(n);
  const k = n + 1 - stride;
  let kgrams = 0;
  src.forEach((text) => {
    const w = tokenize(text, buf);
    if (w === 0) empty++;
    else if (w < n) {
      shorts++;
      if (w < minShort) minShort = w;
    } else {
      bound += w - n + 1;
      kgrams += w - k + 1;
    }
  });
  // 16 bits per k-gram: ~0.2% of absent k-grams pass, so ~90% of clean documents skip the scan
  const sfilter = new Int32Array(stride > 1 ? Math.max(1, Math.ceil(kgrams / 2)) : 0);
  // pass 2: insert
  const main = new WorkTable(bound);
  const whole = new WorkTable(shorts);
  const shortLen = new Int32Array(shorts);
  const shortAnchor = new Int32Array(2 * shorts);
  const itemBench = new Int32Array(src.count);
  const key = new Int32Array(2);
  let item = 0;
  let j = 0;
  src.forEach((text, benchmark) => {
    const id = item++;
    itemBench[id] = benchmark;
    const w = tokenize(text, buf);
    if (w === 0) return;
    if (w >= n) {
      forEachNgram(buf.a, buf.b, w, n, (_i, ka, kb) => main.insert(ka, kb, id));
      if (stride > 1) forEachNgram(buf.a, buf.b, w, k, (_i, ka, kb) => strideAdd(sfilter, ka, kb));
      return;
    }
    kgramKey(buf.a, buf.b, 0, w, key);
    whole.insert(key[0]!, key[1]!, id);
    kgramKey(buf.a, buf.b, 0, minShort, key);
    shortLen[j] = w;
    shortAnchor[2 * j] = key[0]!;
    shortAnchor[2 * j + 1] = key[1]!;
    j++;
  });
  if (item !== src.count) throw new Error(`item source gave ${item} items, announced ${src.count}`);
  // anchor → the distinct lengths of the short items that start with it
  const seen = new Set<string>();
  const anchor = new WorkTable(shorts);
  for (let k = 0; k < j; k++) {
    const t = `${shortAnchor[2 * k]},${shortAnchor[2 * k + 1]},${shortLen[k]}`;
    if (seen.has(t)) continue;
    seen.add(t);
    anchor.insert(shortAnchor[2 * k]!, shortAnchor[2 * k + 1]!, shortLen[k]!);
  }
  const layout: Layout = {
    n,
    cap: main.finalCap(),
    items: src.count,
    postLen: main.postLen(),
    anchorCap: anchor.finalCap(),
    anchorPostLen: anchor.postLen(),
    wholeCap: whole.finalCap(),
    wholePostLen: whole.postLen(),
    minShort: shorts ? minShort : 0,
    shorts,
    filterLog2: filterLog2For(main.distinct),
    stride,
    sfilterWords: sfilter.length,
  };
  const { index } = allocateImage(layout, opts.shared ?? true);
  main.writeInto(index.keys, index.vals, index.cap, index.post);
  fillFilter(index);
  index.sfilter.set(sfilter);
  anchor.writeInto(index.akeys, index.avals, index.anchorCap, index.apost);
  whole.writeInto(index.wkeys, index.wvals, index.wholeCap, index.wpost);
  index.itemBench.set(itemBench);
  const stats: BuildStats = {
    items: src.count,
    empty,
    short: shorts,
    incidences: main.incidences,
    distinct: main.distinct,
    shared: main.multi,
    bytes: index.byteLength,
    seconds: (performance.now() - t0) / 1000,
  };
  return { index, stats };
}

/** Items holding the n-gram (a, b), or [] (tests and reports). */
export function lookupItems(index: ContamIndex, a: number, b: number): number[] {
  const s = probe(index.keys, index.cap, index.scale, a, b);
  return s < 0 ? [] : index.itemsOf(index.vals[s]!);
}
