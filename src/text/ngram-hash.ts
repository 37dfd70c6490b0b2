/**
 * DSIR's hashed n-gram features: unigrams and space-joined bigrams of the WordPunct tokens,
 * each hashed into one of `buckets` buckets. Two hashing modes:
 * - "dsir-compatible": sha256 of the UTF-8 n-gram, as the reference implementation; slow.
 * - "fast" (default): utf16Hash32 per token, bigrams combined from the two token hashes; no
 *   string is built per token, so it is an order of magnitude faster. Buckets differ from
 *   the reference, distributions and importance weights are equivalent in expectation.
 */
import { combine32, utf16Hash32 } from "./hash.js";
import { digestMod, sha256Into, utf8Into } from "./sha256.js";
import { scanTokens } from "./wordpunct.js";

export type NgramHashMode = "fast" | "dsir-compatible";

export interface NgramOptions {
  buckets: number;
  mode: NgramHashMode;
  /** 1 = unigrams only, 2 = unigrams + bigrams (DSIR default). */
  ngrams?: 1 | 2;
}

export class NgramHasher {
  readonly nBuckets: number;
  readonly mode: NgramHashMode;
  readonly ngrams: 1 | 2;
  /** Bucket ids of the last `features()` call: [0, count). Reused between calls. */
  ids: Int32Array = new Int32Array(1024);
  /** Number of WordPunct tokens in the last text. */
  words = 0;

  private count = 0;
  private prevHash = 0;
  private prevStart = 0;
  private prevEnd = 0;
  private lower = "";
  private bytes = new Uint8Array(256);
  private readonly digest = new Int32Array(8);

  constructor(opts: NgramOptions) {
    if (!(opts.buckets >= 1 && opts.buckets < 2 ** 40 && Number.isInteger(opts.buckets))) throw new RangeError(`buckets must be a positive integer, got ${opts.buckets}`);
    this.nBuckets = opts.buckets;
    this.mode = opts.mode;
    this.ngrams = opts.ngrams ?? 2;
  }

  /** Hashes the features of `text`; returns how many were written to `ids`. */
  features(text: string): number {
    this.count = 0;
    this.words = 0;
    this.lower = text.toLowerCase();
    scanTokens(this.lower, this.mode === "fast" ? this.onFast : this.onCompat);
    this.lower = "";
    return this.count;
  }

  /** Adds the features of `text` into `counts` (length `buckets`); returns the token count. */
  addCounts(text: string, counts: Float64Array): number {
    const n = this.features(text);
    const ids = this.ids;
    for (let i = 0; i < n; i++) counts[ids[i]] += 1;
    return this.words;
  }

  private push(id: number): void {
    if (this.count === this.ids.length) {
      const grown = new Int32Array(this.ids.length * 2);
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids[this.count++] = id;
  }

  private readonly onFast = (start: number, end: number): void => {
    const h = utf16Hash32(this.lower, start, end);
    this.push(h % this.nBuckets);
    if (this.ngrams === 2 && this.words > 0) this.push(combine32(this.prevHash, h) % this.nBuckets);
    this.prevHash = h;
    this.words++;
  };

  /** sha256 bucket of lower[s1,e1) (+ " " + lower[s2,e2) when e2 > s2), without building strings. */
  private shaBucket(s1: number, e1: number, s2: number, e2: number): number {
    const need = 3 * (e1 - s1 + e2 - s2) + 1 + 72;
    if (this.bytes.length < need) this.bytes = new Uint8Array(need * 2);
    let n = utf8Into(this.lower, s1, e1, this.bytes, 0);
    if (e2 > s2) {
      this.bytes[n++] = 0x20;
      n = utf8Into(this.lower, s2, e2, this.bytes, n);
    }
    sha256Into(this.bytes, n, this.digest);
    return digestMod(this.digest, this.nBuckets);
  }

  private readonly onCompat = (start: number, end: number): void => {
    this.push(this.shaBucket(start, end, 0, 0));
    if (this.ngrams === 2 && this.words > 0) this.push(this.shaBucket(this.prevStart, this.prevEnd, start, end));
    this.prevStart = start;
    this.prevEnd = end;
    this.words++;
  };
}
