/**
 * The contamination index as one flat image of 32-bit words, so that it can live in a
 * SharedArrayBuffer used in place by every thread (and be written to / read from a file as is):
 *
 *   header   16 words: magic, version, n, cap, items, postLen, anchorCap, anchorPostLen,
 *            wholeCap, wholePostLen, minShort, shorts, filterLog2, stride, sfilterWords
 *   keys     2·cap     open-addressing table of 64-bit n-gram keys (lane A, lane B); (0,0) = empty
 *   vals     cap       item id (>= 0), or ~offset into post when several items share the n-gram
 *   post     postLen   [count, item, item, ...] runs, items ascending
 *   filter   2^filterLog2 bits, ~8 per key: a blocked Bloom filter whose 32-bit word is picked
 *            by lane B's top bits and whose 4 bits by lane A's low 20 bits (5 bits each), all set
 *            for every stored key. Most corpus n-grams (absent) are rejected by one look at one
 *            word of a table a fraction of the keys' memory, instead of a DRAM miss; 4 bits per
 *            key let ~2% of absent n-grams through, where one bit let ~9%
 *   sfilter  sfilterWords words, 16 bits per key: the same kind of filter over every k-gram
 *            (k = n + 1 - stride) of every item, k-gram keys computed as n-gram keys are. A
 *            window of n words shared with an item holds one of the item's k-grams at a
 *            document position that is a multiple of `stride`, so a document none of whose
 *            k-grams at those positions passes shares no n-gram: it is cleared with 1/stride
 *            of the probes, and only the others get the n-gram scan. stride 1: no sfilter
 *   Items shorter than n words ("short items") match as a whole word sequence, in two steps so
 *   that a corpus word costs one probe whatever their lengths:
 *   akeys/avals/apost  anchor table: key of an item's first `minShort` words → the distinct
 *                      lengths of the short items starting with those words
 *   wkeys/wvals/wpost  whole table: key of a short item's whole word sequence → its items
 *   itemBench items   benchmark number of each item
 *
 * Slots come from lane A by Lemire's multiply-shift (no power-of-two capacity, so the load
 * factor, and memory, stay where they are set); collisions probe linearly.
 */

export const MAGIC = 0x49435444; // "DTCI"
export const VERSION = 5;
export const HEADER_WORDS = 16;

export interface Layout {
  n: number;
  cap: number;
  items: number;
  postLen: number;
  anchorCap: number;
  anchorPostLen: number;
  wholeCap: number;
  wholePostLen: number;
  minShort: number;
  shorts: number;
  filterLog2: number;
  /** Document positions between k-gram probes of the stride filter (1: no stride filter). */
  stride: number;
  sfilterWords: number;
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
  put("filter", 2 ** l.filterLog2 / 32);
  put("sfilter", l.sfilterWords);
  put("akeys", 2 * l.anchorCap);
  put("avals", l.anchorCap);
  put("apost", l.anchorPostLen);
  put("wkeys", 2 * l.wholeCap);
  put("wvals", l.wholeCap);
  put("wpost", l.wholePostLen);
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
  readonly anchorCap: number;
  readonly anchorScale: number;
  readonly wholeCap: number;
  readonly wholeScale: number;
  readonly shorts: number;
  readonly minShort: number;
  readonly keys: Int32Array;
  readonly vals: Int32Array;
  readonly post: Int32Array;
  readonly akeys: Int32Array;
  readonly avals: Int32Array;
  readonly apost: Int32Array;
  readonly wkeys: Int32Array;
  readonly wvals: Int32Array;
  readonly wpost: Int32Array;
  readonly itemBench: Int32Array;
  readonly filter: Int32Array;
  readonly filterShift: number;
  readonly stride: number;
  readonly sfilter: Int32Array;
  /** Lane B → sfilter word, by multiply-shift (its size is exact, not a power of two). */
  readonly sfilterScale: number;
  /** The whole image (header included). */
  readonly words: Int32Array;

  constructor(buffer: ArrayBufferLike, byteOffset = 0, byteLength?: number) {
    const head = new Int32Array(buffer, byteOffset, HEADER_WORDS);
    if (head[0] !== MAGIC) throw new Error("not a datatailor contamination index (bad magic)");
    if (head[1] !== VERSION) throw new Error(`contamination index version ${head[1]} (this build reads ${VERSION})`);
    const l: Layout = {
      n: head[2]!,
      cap: head[3]!,
      items: head[4]!,
      postLen: head[5]!,
      anchorCap: head[6]!,
      anchorPostLen: head[7]!,
      wholeCap: head[8]!,
      wholePostLen: head[9]!,
      minShort: head[10]!,
      shorts: head[11]!,
      filterLog2: head[12]!,
      stride: head[13]!,
      sfilterWords: head[14]!,
    };
    const { words, at } = sections(l);
    if (byteLength !== undefined && byteLength !== words * 4) throw new Error(`contamination index is ${byteLength} bytes, its header says ${words * 4}`);
    this.words = new Int32Array(buffer, byteOffset, words);
    const view = (name: string, len: number) => this.words.subarray(at[name]!, at[name]! + len);
    this.n = l.n;
    this.cap = l.cap;
    this.scale = l.cap / 4294967296;
    this.items = l.items;
    this.anchorCap = l.anchorCap;
    this.anchorScale = l.anchorCap / 4294967296;
    this.wholeCap = l.wholeCap;
    this.wholeScale = l.wholeCap / 4294967296;
    this.shorts = l.shorts;
    this.minShort = l.minShort;
    this.keys = view("keys", 2 * l.cap);
    this.vals = view("vals", l.cap);
    this.post = view("post", l.postLen);
    this.akeys = view("akeys", 2 * l.anchorCap);
    this.avals = view("avals", l.anchorCap);
    this.apost = view("apost", l.anchorPostLen);
    this.wkeys = view("wkeys", 2 * l.wholeCap);
    this.wvals = view("wvals", l.wholeCap);
    this.wpost = view("wpost", l.wholePostLen);
    this.itemBench = view("itemBench", l.items);
    this.filter = view("filter", 2 ** l.filterLog2 / 32);
    // lane B's top (filterLog2 - 5) bits pick the filter's 32-bit word
    this.filterShift = 37 - l.filterLog2;
    this.stride = l.stride;
    this.sfilter = view("sfilter", l.sfilterWords);
    this.sfilterScale = l.sfilterWords / 4294967296;
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

/** The filter's 4 bits for a key's lane A (Matcher inlines the same expression). */
export function filterMask(a: number): number {
  return (1 << (a & 31)) | (1 << ((a >>> 5) & 31)) | (1 << ((a >>> 10) & 31)) | (1 << ((a >>> 15) & 31));
}

/** Whether the filter lets the key (a, b) through (absent keys mostly not; stored keys always). */
export function filterPasses(ix: ContamIndex, a: number, b: number): boolean {
  const m = filterMask(a);
  return (ix.filter[b >>> ix.filterShift]! & m) === m;
}

/** The stride filter's 5 bits for a k-gram key's lane A (Matcher inlines the same expression). */
export function strideMask(a: number): number {
  return (1 << (a & 31)) | (1 << ((a >>> 5) & 31)) | (1 << ((a >>> 10) & 31)) | (1 << ((a >>> 15) & 31)) | (1 << ((a >>> 20) & 31));
}

/** Sets a k-gram key's bits in a stride filter of `words` words. */
export function strideAdd(sfilter: Int32Array, a: number, b: number): void {
  sfilter[((b >>> 0) * (sfilter.length / 4294967296)) | 0]! |= strideMask(a);
}

/** Whether the stride filter lets the k-gram key (a, b) through (every stored k-gram passes). */
export function stridePasses(ix: ContamIndex, a: number, b: number): boolean {
  const m = strideMask(a);
  return (ix.sfilter[((b >>> 0) * ix.sfilterScale) | 0]! & m) === m;
}

/** Sets the filter bits of every stored key (after the keys are written). */
export function fillFilter(ix: ContamIndex): void {
  const { keys, filter, filterShift } = ix;
  for (let s = 0; s < ix.cap; s++) {
    const a = keys[2 * s]!;
    const b = keys[2 * s + 1]!;
    if (a === 0 && b === 0) continue;
    filter[b >>> filterShift]! |= filterMask(a);
  }
}

/** log2 of the filter's bits: the power of two at or above 8 bits per key (at least 2^10). */
export function filterLog2For(keys: number): number {
  return Math.max(10, Math.min(31, Math.ceil(Math.log2(Math.max(1, keys) * 8))));
}

/** Allocates an image (shared when asked) and writes its header. */
export function allocateImage(l: Layout, shared: boolean): { buffer: ArrayBufferLike; index: ContamIndex } {
  const bytes = imageBytes(l);
  const buffer = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const head = new Int32Array(buffer, 0, HEADER_WORDS);
  head.set([MAGIC, VERSION, l.n, l.cap, l.items, l.postLen, l.anchorCap, l.anchorPostLen, l.wholeCap, l.wholePostLen, l.minShort, l.shorts, l.filterLog2, l.stride, l.sfilterWords]);
  return { buffer, index: new ContamIndex(buffer) };
}
