/**
 * The contamination index as one flat image of 32-bit words, so that it can live in a
 * SharedArrayBuffer used in place by every thread (and be written to / read from a file as is):
 *
 *   header   16 words: magic, version, n, cap, items, postLen, shortCap, shorts, shortPostLen, minShort
 *   keys     2·cap     open-addressing table of 64-bit n-gram keys (lane A, lane B); (0,0) = empty
 *   vals     cap       item id (>= 0), or ~offset into post when several items share the n-gram
 *   post     postLen   [count, item, item, ...] runs, items ascending
 *   skeys    2·shortCap  the same table for items shorter than n words, keyed by their first
 *   svals    shortCap    `minShort` words (the anchor); values are short-item numbers
 *   spost    shortPostLen
 *   sItem, sLen, sA, sB   per short item: its item id, word count and whole-sequence key
 *   itemBench items   benchmark number of each item
 *
 * Slots come from lane A by Lemire's multiply-shift (no power-of-two capacity, so the load
 * factor, and memory, stay where they are set); collisions probe linearly.
 */

export const MAGIC = 0x49435444; // "DTCI"
export const VERSION = 1;
export const HEADER_WORDS = 16;

export interface Layout {
  n: number;
  cap: number;
  items: number;
  postLen: number;
  shortCap: number;
  shorts: number;
  shortPostLen: number;
  minShort: number;
}

function sections(l: Layout): { words: number; at: Record<string, number> } {
  const at: Record<string, number> = {};
  let w = HEADER_WORDS;
  const put = (name: string, len: number) => {
    at[name] = w;
    w += len;
  };
  put("keys", 2 * l.cap);
  put("vals", l.cap);
  put("post", l.postLen);
  put("skeys", 2 * l.shortCap);
  put("svals", l.shortCap);
  put("spost", l.shortPostLen);
  put("sItem", l.shorts);
  put("sLen", l.shorts);
  put("sA", l.shorts);
  put("sB", l.shorts);
  put("itemBench", l.items);
  if (w % 2) w++; // keep the whole image a multiple of 8 bytes
  return { words: w, at };
}

export function imageBytes(l: Layout): number {
  return sections(l).words * 4;
}

/** Probes a table; returns the slot holding (a, b) or -1. */
export function probe(keys: Int32Array, cap: number, scale: number, a: number, b: number): number {
  let s = ((a >>> 0) * scale) | 0;
  for (;;) {
    const ka = keys[2 * s]!;
    const kb = keys[2 * s + 1]!;
    if (ka === a && kb === b) return s;
    if (ka === 0 && kb === 0) return -1;
    if (++s === cap) s = 0;
  }
}

/** Inserts (a, b) → v into a table that has room and does not hold the key yet. */
export function insertNew(keys: Int32Array, vals: Int32Array, cap: number, scale: number, a: number, b: number, v: number): void {
  let s = ((a >>> 0) * scale) | 0;
  while (keys[2 * s] !== 0 || keys[2 * s + 1] !== 0) if (++s === cap) s = 0;
  keys[2 * s] = a;
  keys[2 * s + 1] = b;
  vals[s] = v;
}

export class ContamIndex {
  readonly n: number;
  readonly cap: number;
  readonly scale: number;
  readonly items: number;
  readonly shortCap: number;
  readonly shortScale: number;
  readonly shorts: number;
  readonly minShort: number;
  readonly keys: Int32Array;
  readonly vals: Int32Array;
  readonly post: Int32Array;
  readonly skeys: Int32Array;
  readonly svals: Int32Array;
  readonly spost: Int32Array;
  readonly sItem: Int32Array;
  readonly sLen: Int32Array;
  readonly sA: Int32Array;
  readonly sB: Int32Array;
  readonly itemBench: Int32Array;
  /** The whole image (header included). */
  readonly words: Int32Array;

  constructor(buffer: ArrayBufferLike, byteOffset = 0, byteLength?: number) {
    const head = new Int32Array(buffer, byteOffset, HEADER_WORDS);
    if (head[0] !== MAGIC) throw new Error("not a datatailor contamination index (bad magic)");
    if (head[1] !== VERSION) throw new Error(`contamination index version ${head[1]} (this build reads ${VERSION})`);
    const l: Layout = { n: head[2]!, cap: head[3]!, items: head[4]!, postLen: head[5]!, shortCap: head[6]!, shorts: head[7]!, shortPostLen: head[8]!, minShort: head[9]! };
    const { words, at } = sections(l);
    if (byteLength !== undefined && byteLength !== words * 4) throw new Error(`contamination index is ${byteLength} bytes, its header says ${words * 4}`);
    this.words = new Int32Array(buffer, byteOffset, words);
    const view = (name: string, len: number) => this.words.subarray(at[name]!, at[name]! + len);
    this.n = l.n;
    this.cap = l.cap;
    this.scale = l.cap / 4294967296;
    this.items = l.items;
    this.shortCap = l.shortCap;
    this.shortScale = l.shortCap / 4294967296;
    this.shorts = l.shorts;
    this.minShort = l.minShort;
    this.keys = view("keys", 2 * l.cap);
    this.vals = view("vals", l.cap);
    this.post = view("post", l.postLen);
    this.skeys = view("skeys", 2 * l.shortCap);
    this.svals = view("svals", l.shortCap);
    this.spost = view("spost", l.shortPostLen);
    this.sItem = view("sItem", l.shorts);
    this.sLen = view("sLen", l.shorts);
    this.sA = view("sA", l.shorts);
    this.sB = view("sB", l.shorts);
    this.itemBench = view("itemBench", l.items);
  }

  /** Bytes of the typed arrays that make up the index. */
  get byteLength(): number {
    return this.words.byteLength;
  }

  /** The image's bytes (to write to a file). */
  bytes(): Uint8Array {
    return new Uint8Array(this.words.buffer, this.words.byteOffset, this.words.byteLength);
  }

  /** Number of distinct n-grams stored. */
  countKeys(): number {
    let c = 0;
    for (let s = 0; s < this.cap; s++) if (this.keys[2 * s] !== 0 || this.keys[2 * s + 1] !== 0) c++;
    return c;
  }

  /** Items of a table value (an item id, or ~offset of a postings run). */
  itemsOf(v: number, post = this.post): number[] {
    if (v >= 0) return [v];
    const off = ~v;
    return Array.from(post.subarray(off + 1, off + 1 + post[off]!));
  }
}

/** Allocates an image (shared when asked) and writes its header. */
export function allocateImage(l: Layout, shared: boolean): { buffer: ArrayBufferLike; index: ContamIndex } {
  const bytes = imageBytes(l);
  const buffer = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const head = new Int32Array(buffer, 0, HEADER_WORDS);
  head.set([MAGIC, VERSION, l.n, l.cap, l.items, l.postLen, l.shortCap, l.shorts, l.shortPostLen, l.minShort]);
  return { buffer, index: new ContamIndex(buffer) };
}
