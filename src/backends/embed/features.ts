/**
 * Hashed word features for the built-in embedders: lower-cased runs of letters/digits, as
 * unigrams plus adjacent bigrams, FNV-1a hashed into 2^bits buckets. Scans char codes without
 * building token strings; a reusable `SparseCounts` collects one doc at a time.
 */
export const FEATURE_BITS = 18;

function isWordChar(c: number): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
  // non-ASCII: letters of other scripts count; general and CJK punctuation and spaces do not
  return !(c <= 0xbf || (c >= 0x2000 && c <= 0x206f) || (c >= 0x3000 && c <= 0x303f) || c === 0xfeff || c === 0xa0);
}

/** Sparse feature counts of one doc: `ids[0..size)` are the distinct buckets, `count[id]` their counts. */
export class SparseCounts {
  readonly count: Float32Array;
  readonly ids: Int32Array;
  size = 0;
  constructor(readonly bits = FEATURE_BITS) {
    this.count = new Float32Array(1 << bits);
    this.ids = new Int32Array(1 << bits);
  }
  reset(): void {
    for (let i = 0; i < this.size; i++) this.count[this.ids[i]!] = 0;
    this.size = 0;
  }
  add(id: number): void {
    if (this.count[id] === 0) this.ids[this.size++] = id;
    this.count[id]!++;
  }
}

/** Fills `out` (after reset) with the hashed unigram and bigram counts of `text`. */
export function countFeatures(text: string, acc: SparseCounts): void {
  acc.reset();
  const mask = (1 << acc.bits) - 1;
  let h = 0;
  let inWord = false;
  let prev = -1;
  const len = text.length;
  for (let i = 0; i <= len; i++) {
    let c = i < len ? text.charCodeAt(i) : 32;
    if (isWordChar(c)) {
      if (c >= 65 && c <= 90) c += 32;
      else if (c >= 128) c = text[i]!.toLowerCase().charCodeAt(0);
      if (!inWord) {
        h = 2166136261;
        inWord = true;
      }
      h = Math.imul(h ^ c, 16777619);
    } else if (inWord) {
      inWord = false;
      const w = h >>> 0;
      acc.add(w & mask);
      if (prev >= 0) {
        // bigram: mix the two word hashes (order-sensitive)
        let b = Math.imul(prev ^ 0x9e3779b9, 0x85ebca6b) ^ w;
        b = Math.imul(b ^ (b >>> 15), 0xc2b2ae35);
        b ^= b >>> 13;
        acc.add((b >>> 0) & mask);
      }
      prev = w;
    }
  }
}
