/**
 * Unbiased MMD² (Gretton et al. 2012, eq. 3) with the Gaussian kernel k(x, y) = exp(−‖x−y‖²/(2σ²)):
 *   MMD²_u = 1/(m(m−1)) Σ_{i≠j} k(x_i, x_j) + 1/(n(n−1)) Σ_{i≠j} k(y_i, y_j) − 2/(mn) Σ_{i,j} k(x_i, y_j)
 * The within-sample sums leave out i = j; the cross term is the full mean. One blocked pass over
 * every pair also yields the nearest-neighbour distances that coverage needs (domain → reference,
 * reference → reference without itself), so they cost no second pass over the O(n²) pairs.
 */
import type { VectorData, VectorSet } from "./vectors.js";

export interface MmdResult {
  mmd2: number;
  /** Means of the three kernel terms, for the report. */
  meanKxx: number;
  meanKyy: number;
  meanKxy: number;
  /** Euclidean distance of each domain vector to its nearest reference vector. */
  nnDomainToReference: Float64Array;
  /** Euclidean distance of each reference vector to its nearest other reference vector. */
  nnReferenceToReference: Float64Array;
}

export interface MmdOptions {
  /** Called with the number of pairs finished since the last call. */
  onPairs?: (pairs: number) => void;
}

/** Rows per tile: 64 rows of 128 float64 = 64 KB, two tiles stay in L2 while every pair between them is visited. */
const TILE = 64;

export function gaussianMmd2(x: VectorSet, y: VectorSet, sigma: number, opts: MmdOptions = {}): MmdResult {
  if (x.dim !== y.dim) throw new RangeError(`vector dimensions differ: ${x.dim} vs ${y.dim}`);
  if (x.n < 2 || y.n < 2) throw new RangeError(`unbiased MMD² needs at least 2 vectors per sample (got ${x.n} and ${y.n})`);
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new RangeError(`kernel bandwidth must be positive and finite, got ${sigma}`);
  const gamma = 1 / (2 * sigma * sigma);
  const nnX = new Float64Array(x.n).fill(Infinity);
  const nnY = new Float64Array(y.n).fill(Infinity);
  const sxx = triangle(x, gamma, null, opts);
  const syy = triangle(y, gamma, nnY, opts);
  const sxy = rectangle(x, y, gamma, nnX, opts);
  const meanKxx = (2 * sxx) / (x.n * (x.n - 1));
  const meanKyy = (2 * syy) / (y.n * (y.n - 1));
  const meanKxy = sxy / (x.n * y.n);
  for (let i = 0; i < nnX.length; i++) nnX[i] = Math.sqrt(nnX[i]);
  for (let i = 0; i < nnY.length; i++) nnY[i] = Math.sqrt(nnY[i]);
  return { mmd2: meanKxx + meanKyy - 2 * meanKxy, meanKxx, meanKyy, meanKxy, nnDomainToReference: nnX, nnReferenceToReference: nnY };
}

/** Σ_{i<j} k(a_i, a_j); with `nn`, the squared distance of each row to its nearest other row. */
function triangle(a: VectorSet, gamma: number, nn: Float64Array | null, opts: MmdOptions): number {
  let total = 0;
  for (let i0 = 0; i0 < a.n; i0 += TILE) {
    const i1 = Math.min(a.n, i0 + TILE);
    let pairs = 0;
    for (let j0 = i0; j0 < a.n; j0 += TILE) {
      const j1 = Math.min(a.n, j0 + TILE);
      total += tile(a.data, i0, i1, a.data, j0, j1, a.dim, gamma, j0 === i0, nn, nn);
      pairs += j0 === i0 ? ((i1 - i0) * (i1 - i0 - 1)) / 2 : (i1 - i0) * (j1 - j0);
    }
    opts.onPairs?.(pairs);
  }
  return total;
}

/** Σ_{i,j} k(a_i, b_j); the squared distance of each row of a to its nearest row of b into nnA. */
function rectangle(a: VectorSet, b: VectorSet, gamma: number, nnA: Float64Array, opts: MmdOptions): number {
  let total = 0;
  for (let i0 = 0; i0 < a.n; i0 += TILE) {
    const i1 = Math.min(a.n, i0 + TILE);
    for (let j0 = 0; j0 < b.n; j0 += TILE) {
      const j1 = Math.min(b.n, j0 + TILE);
      total += tile(a.data, i0, i1, b.data, j0, j1, a.dim, gamma, false, nnA, null);
    }
    opts.onPairs?.((i1 - i0) * b.n);
  }
  return total;
}

/**
 * Kernel sum over rows [i0,i1) of A × rows [j0,j1) of B (only j > i when `upper`), tracking
 * minimum squared distances per A row (nnA) and per B row (nnB) when given.
 */
function tile(
  A: VectorData,
  i0: number,
  i1: number,
  B: VectorData,
  j0: number,
  j1: number,
  d: number,
  gamma: number,
  upper: boolean,
  nnA: Float64Array | null,
  nnB: Float64Array | null,
): number {
  let sum = 0;
  for (let i = i0; i < i1; i++) {
    const ao = i * d;
    let minA = nnA ? nnA[i] : 0;
    for (let j = upper ? i + 1 : j0; j < j1; j++) {
      const bo = j * d;
      // four partial sums: independent dependency chains the CPU can overlap
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let k = 0;
      for (; k + 3 < d; k += 4) {
        const t0 = A[ao + k] - B[bo + k];
        const t1 = A[ao + k + 1] - B[bo + k + 1];
        const t2 = A[ao + k + 2] - B[bo + k + 2];
        const t3 = A[ao + k + 3] - B[bo + k + 3];
        s0 += t0 * t0;
        s1 += t1 * t1;
        s2 += t2 * t2;
        s3 += t3 * t3;
      }
      for (; k < d; k++) {
        const t = A[ao + k] - B[bo + k];
        s0 += t * t;
      }
      const s = s0 + s1 + (s2 + s3);
      sum += Math.exp(-gamma * s);
      if (s < minA) minA = s;
      if (nnB !== null && s < nnB[j]) nnB[j] = s;
    }
    if (nnA) nnA[i] = minA;
  }
  return sum;
}
