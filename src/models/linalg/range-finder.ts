/**
 * Randomized range finder (Halko, Martinsson & Tropp 2011, alg. 4.4 with one power iteration)
 * for the top right-singular subspace of a sparse matrix A (rows × cols, CSR): an orthonormal
 * basis Y (cols × l, row-major float64) of range(Aᵀ A Aᵀ Ω) for a seeded ±1 test matrix Ω.
 * Deterministic for a seed: Ω is generated on the fly from (seed, row, column).
 */
import { fmix32 } from "../../text/hash.js";
import { orthonormaliseColumns } from "./cholqr.js";

export interface CsrMatrix {
  rows: number;
  cols: number;
  /** rows + 1 offsets into index/values */
  ptr: Int32Array;
  index: Int32Array;
  values: Float64Array;
}

/** Y += Aᵀ Z (Z: rows × l), or with `omega`, Aᵀ Ω for the seeded ±1 Ω. */
function atTimes(A: CsrMatrix, l: number, Z: Float64Array | undefined, seed: number): Float64Array {
  const Y = new Float64Array(A.cols * l);
  const s0 = fmix32(seed ^ 0x5bd1e995);
  const row = new Float64Array(l);
  for (let d = 0; d < A.rows; d++) {
    if (Z) row.set(Z.subarray(d * l, (d + 1) * l));
    else {
      const sd = fmix32(s0 ^ fmix32(d));
      for (let j = 0; j < l; j++) row[j] = fmix32(sd ^ fmix32(j + 0x68e31da4)) & 1 ? 1 : -1;
    }
    for (let p = A.ptr[d]!; p < A.ptr[d + 1]!; p++) {
      const o = A.index[p]! * l;
      const v = A.values[p]!;
      for (let j = 0; j < l; j++) Y[o + j]! += v * row[j]!;
    }
  }
  return Y;
}

/** Z = A Y (rows × l). */
function aTimes(A: CsrMatrix, l: number, Y: Float64Array): Float64Array {
  const Z = new Float64Array(A.rows * l);
  for (let d = 0; d < A.rows; d++) {
    const zo = d * l;
    for (let p = A.ptr[d]!; p < A.ptr[d + 1]!; p++) {
      const o = A.index[p]! * l;
      const v = A.values[p]!;
      for (let j = 0; j < l; j++) Z[zo + j]! += v * Y[o + j]!;
    }
  }
  return Z;
}

export function rangeFinder(A: CsrMatrix, l: number, seed: number): Float64Array {
  const Y0 = atTimes(A, l, undefined, seed);
  // one Cholesky-QR pass is enough to keep the power iteration well scaled
  orthonormaliseColumns(Y0, A.cols, l, 1);
  const Y = atTimes(A, l, aTimes(A, l, Y0), seed);
  orthonormaliseColumns(Y, A.cols, l);
  return Y;
}
