/**
 * Inverse document frequency over hashed features, fitted on a sample (smooth idf as in
 * scikit-learn: ln((1+N)/(1+df)) + 1), and sublinear tf-idf weights of one doc, L2-normalised.
 */
import { countFeatures, FEATURE_BITS, SparseCounts } from "./features.js";

export class IdfTable {
  /** null until fitted: every feature then weighs 1 */
  idf: Float32Array | null = null;
  /** document frequency per bucket from the last fit */
  df: Int32Array | null = null;
  docs = 0;

  fit(texts: string[], counts = new SparseCounts()): void {
    const df = new Int32Array(1 << FEATURE_BITS);
    for (const t of texts) {
      countFeatures(t, counts);
      for (let i = 0; i < counts.size; i++) df[counts.ids[i]!]!++;
    }
    const idf = new Float32Array(df.length);
    const n = texts.length;
    for (let b = 0; b < df.length; b++) idf[b] = Math.log((1 + n) / (1 + df[b]!)) + 1;
    this.idf = idf;
    this.df = df;
    this.docs = n;
  }
}

/**
 * Writes the doc's tf-idf weights into `w[0..counts.size)`, in the order of `counts.ids`,
 * with tf = 1 + ln(count), normalised to unit length. Returns the norm before normalising.
 */
export function tfidfWeights(counts: SparseCounts, idf: Float32Array | null, w: Float32Array): number {
  let norm = 0;
  for (let i = 0; i < counts.size; i++) {
    const id = counts.ids[i]!;
    const v = (1 + Math.log(counts.count[id]!)) * (idf ? idf[id]! : 1);
    w[i] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < counts.size; i++) w[i]! /= norm;
  return norm;
}

/** Normalises row `r` of `out` (dim wide) in place; an all-zero row stays zero. */
export function normaliseRow(out: Float32Array, r: number, dim: number): void {
  let s = 0;
  const o = r * dim;
  for (let k = 0; k < dim; k++) s += out[o + k]! * out[o + k]!;
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let k = 0; k < dim; k++) out[o + k]! *= inv;
  }
}
