/**
 * Hashed TF-IDF vectors as scikit-learn's TfidfVectorizer(sublinear_tf=True) builds them:
 * tf = 1 + ln(count), idf = ln((1 + n) / (1 + df)) + 1 (smoothed), words the fitted sample
 * never saw left out, rows L2-normalised. Terms
 * are the hashes of text/lexical-tokens.ts folded into `buckets` columns, so the vocabulary
 * needs no dictionary and a vector can be built anywhere (a worker thread, another machine)
 * from the idf table alone.
 */
import { scanLexicalTokens } from "../../text/lexical-tokens.js";
import type { Csr } from "./csr.js";

/** 2^20 columns: ~100k distinct content words of a sample collide for a few percent of terms. */
export const DEFAULT_BUCKETS = 1 << 20;

export class TfidfFeaturizer {
  readonly buckets: number;
  private readonly mask: number;
  /** Inverse document frequency per column; null until fitted or set. */
  idf: Float32Array | null = null;
  private terms = new Int32Array(4096);
  private nTerms = 0;
  /** Columns and weights of the last `vector()` call (valid until the next call). */
  cols = new Int32Array(4096);
  vals = new Float32Array(4096);

  constructor(buckets = DEFAULT_BUCKETS) {
    if (buckets & (buckets - 1)) throw new RangeError(`buckets must be a power of two, got ${buckets}`);
    this.buckets = buckets;
    this.mask = buckets - 1;
  }

  private readonly push = (h: number): void => {
    if (this.nTerms === this.terms.length) {
      const t = new Int32Array(this.terms.length * 2);
      t.set(this.terms);
      this.terms = t;
    }
    this.terms[this.nTerms++] = h & this.mask;
  };

  /** Sorted distinct columns of `text` with their counts in cols/vals; returns how many. */
  private countTerms(text: string): number {
    this.nTerms = 0;
    scanLexicalTokens(text, this.push);
    const t = this.terms.subarray(0, this.nTerms).sort();
    if (this.cols.length < t.length) {
      this.cols = new Int32Array(t.length);
      this.vals = new Float32Array(t.length);
    }
    let u = 0;
    for (let i = 0; i < t.length; i++) {
      if (u > 0 && this.cols[u - 1] === t[i]) this.vals[u - 1]!++;
      else {
        this.cols[u] = t[i]!;
        this.vals[u++] = 1;
      }
    }
    return u;
  }

  /** Fits the idf on a document sample. */
  fit(texts: Iterable<string>): void {
    const df = new Float64Array(this.buckets);
    let n = 0;
    for (const text of texts) {
      const u = this.countTerms(text);
      for (let i = 0; i < u; i++) df[this.cols[i]!]!++;
      n++;
    }
    const idf = new Float32Array(this.buckets);
    // A column no sampled document holds stays 0: like a word outside TfidfVectorizer's
    // vocabulary, it is left out of the vector and of its norm.
    for (let c = 0; c < this.buckets; c++) idf[c] = df[c] ? Math.log((1 + n) / (1 + df[c]!)) + 1 : 0;
    this.idf = idf;
  }

  /** The L2-normalised tf-idf vector of `text` in cols/vals[0 .. returned length). */
  vector(text: string): number {
    const idf = this.idf;
    if (!idf) throw new Error("TfidfFeaturizer: fit() or set idf before vector()");
    const n = this.countTerms(text);
    let u = 0;
    let norm = 0;
    for (let i = 0; i < n; i++) {
      const c = this.cols[i]!;
      if (idf[c] === 0) continue;
      const w = (1 + Math.log(this.vals[i]!)) * idf[c]!;
      this.cols[u] = c;
      this.vals[u++] = w;
      norm += w * w;
    }
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let i = 0; i < u; i++) this.vals[i]! *= inv;
    }
    return u;
  }

  /** Vectors of many texts as one sparse matrix. */
  matrix(texts: readonly string[]): Csr {
    const ptr = new Int32Array(texts.length + 1);
    let idx = new Int32Array(Math.max(16, texts.length * 64));
    let val = new Float32Array(idx.length);
    let o = 0;
    for (let r = 0; r < texts.length; r++) {
      const u = this.vector(texts[r]!);
      if (o + u > idx.length) {
        const cap = Math.max(o + u, idx.length * 2);
        const i2 = new Int32Array(cap);
        i2.set(idx.subarray(0, o));
        const v2 = new Float32Array(cap);
        v2.set(val.subarray(0, o));
        idx = i2;
        val = v2;
      }
      idx.set(this.cols.subarray(0, u), o);
      val.set(this.vals.subarray(0, u), o);
      o += u;
      ptr[r + 1] = o;
    }
    return { rows: texts.length, ptr, idx: idx.slice(0, o), val: val.slice(0, o) };
  }
}
