/**
 * Latent semantic analysis fitted on a sample: tf-idf rows over the most frequent hashed
 * features, then a randomized range finder (Halko, Martinsson & Tropp 2011) for an orthonormal
 * basis P of the top right-singular subspace of A (one power iteration). A doc embeds as Pᵀx:
 * cosines in that space are those of the docs projected onto the subspace, whatever rotation
 * of the basis the range finder produced.
 */
import { fmix32 } from "../../text/hash.js";
import { countFeatures, FEATURE_BITS, SparseCounts } from "./features.js";
import { type IdfTable, tfidfWeights } from "./idf.js";
import { orthonormaliseColumns } from "./linalg.js";

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
  const cols = Int32Array.from(colsList);
  const vals = Float64Array.from(valsList);
  const n = texts.length;

  // Y = Aᵀ Ω with a seeded ±1 test matrix Ω (n × l), generated on the fly
  let Y = new Float64Array(V * l);
  const s0 = fmix32(seed ^ 0x5bd1e995);
  const omega = new Float64Array(l);
  for (let d = 0; d < n; d++) {
    const sd = fmix32(s0 ^ fmix32(d));
    for (let j = 0; j < l; j++) omega[j] = fmix32(sd ^ fmix32(j + 0x68e31da4)) & 1 ? 1 : -1;
    for (let p = ptr[d]!; p < ptr[d + 1]!; p++) {
      const o = cols[p]! * l;
      const v = vals[p]!;
      for (let j = 0; j < l; j++) Y[o + j]! += v * omega[j]!;
    }
  }
  // one Cholesky-QR pass is enough to keep the power iteration well scaled
  orthonormaliseColumns(Y, V, l, 1);
  // one power iteration: Y ← Aᵀ (A Y)
  const Z = new Float64Array(n * l);
  for (let d = 0; d < n; d++) {
    const zo = d * l;
    for (let p = ptr[d]!; p < ptr[d + 1]!; p++) {
      const o = cols[p]! * l;
      const v = vals[p]!;
      for (let j = 0; j < l; j++) Z[zo + j]! += v * Y[o + j]!;
    }
  }
  Y = new Float64Array(V * l);
  for (let d = 0; d < n; d++) {
    const zo = d * l;
    for (let p = ptr[d]!; p < ptr[d + 1]!; p++) {
      const o = cols[p]! * l;
      const v = vals[p]!;
      for (let j = 0; j < l; j++) Y[o + j]! += v * Z[zo + j]!;
    }
  }
  orthonormaliseColumns(Y, V, l);
  return { dim, rowOf, P: Float32Array.from(Y) };
}
