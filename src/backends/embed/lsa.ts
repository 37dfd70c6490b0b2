/**
 * Latent semantic analysis fitted on a sample: tf-idf rows over the most frequent hashed
 * features, then a randomized range finder (models/linalg/range-finder.ts) for an orthonormal
 * basis P of the top right-singular subspace of A (one power iteration). A doc embeds as Pᵀx:
 * cosines in that space are those of the docs projected onto the subspace, whatever rotation
 * of the basis the range finder produced.
 */
import { rangeFinder, type CsrMatrix } from "../../models/linalg/range-finder.js";
import { countFeatures, FEATURE_BITS, SparseCounts } from "./features.js";
import { type IdfTable, tfidfWeights } from "./idf.js";

/** Most frequent features kept as LSA vocabulary (features in one doc only are dropped). */
export const LSA_MAX_VOCAB = 16384;

export interface LsaModel {
  dim: number;
  /** bucket → row of P, or -1 */
  rowOf: Int32Array;
  /** vocab × dim, row-major */
  P: Float32Array;
}

export function fitLsa(texts: string[], idf: IdfTable, dim: number, seed: number): LsaModel {
  const df = idf.df!;
  const candidates: number[] = [];
  for (let b = 0; b < df.length; b++) if (df[b]! >= 2) candidates.push(b);
  candidates.sort((a, b) => df[b]! - df[a]! || a - b);
  const vocab = candidates.slice(0, LSA_MAX_VOCAB);
  const V = vocab.length;
  const rowOf = new Int32Array(1 << FEATURE_BITS).fill(-1);
  vocab.forEach((b, i) => (rowOf[b] = i));
  const l = dim;

  // A in CSR form: rows = sample docs, columns = vocabulary rows
  const counts = new SparseCounts();
  const w = new Float32Array(1 << FEATURE_BITS);
  const ptr = new Int32Array(texts.length + 1);
  const colsList: number[] = [];
  const valsList: number[] = [];
  texts.forEach((t, d) => {
    countFeatures(t, counts);
    tfidfWeights(counts, idf.idf, w);
    for (let i = 0; i < counts.size; i++) {
      const r = rowOf[counts.ids[i]!]!;
      if (r >= 0) {
        colsList.push(r);
        valsList.push(w[i]!);
      }
    }
    ptr[d + 1] = colsList.length;
  });
  const A: CsrMatrix = { rows: texts.length, cols: V, ptr, index: Int32Array.from(colsList), values: Float64Array.from(valsList) };
  const Y = rangeFinder(A, l, seed);
  return { dim, rowOf, P: Float32Array.from(Y) };
}
