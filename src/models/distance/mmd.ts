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
export const TILE = 64;

/**
 * One share of the pass: the row tiles t with t % parts === part. Kernel sums are kept per row
 * tile and added in tile order by mmdFromPartials, so the result does not depend on how many
 * parts (threads) did the work. Minimum distances are squared; Infinity where untouched.
 */
export interface MmdPartial {
  sxx: Float64Array;
  syy: Float64Array;
  sxy: Float64Array;
  nnX: Float64Array;
  nnY: Float64Array;
}

export function gaussianMmd2(x: VectorSet, y: VectorSet, sigma: number, opts: MmdOptions = {}): MmdResult {
  checkMmdInputs(x, y, sigma);
  return mmdFromPartials([mmdPartial(x, y, sigma, 0, 1, opts.onPairs)], x.n, y.n);
}

export function checkMmdInputs(x: VectorSet, y: VectorSet, sigma: number): void {
  if (x.dim !== y.dim) throw new RangeError(`vector dimensions differ: ${x.dim} vs ${y.dim}`);
  if (x.n < 2 || y.n < 2) throw new RangeError(`unbiased MMD² needs at least 2 vectors per sample (got ${x.n} and ${y.n})`);
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new RangeError(`kernel bandwidth must be positive and finite, got ${sigma}`);
}

export function mmdPartial(x: VectorSet, y: VectorSet, sigma: number, part: number, parts: number, onPairs?: (pairs: number) => void): MmdPartial {
  const gamma = 1 / (2 * sigma * sigma);
  const tx = Math.ceil(x.n / TILE);
  const ty = Math.ceil(y.n / TILE);
  const out: MmdPartial = {
    sxx: new Float64Array(tx),
    syy: new Float64Array(ty),
    sxy: new Float64Array(tx),
    nnX: new Float64Array(x.n).fill(Infinity),
    nnY: new Float64Array(y.n).fill(Infinity),
  };
  for (let t = part; t < tx; t += parts) {
    const i0 = t * TILE;
    const i1 = Math.min(x.n, i0 + TILE);
    let pairs = 0;
    for (let j0 = i0; j0 < x.n; j0 += TILE) {
      const j1 = Math.min(x.n, j0 + TILE);
      out.sxx[t] += tile(x.data, i0, i1, x.data, j0, j1, x.dim, gamma, j0 === i0, null, null);
      pairs += j0 === i0 ? ((i1 - i0) * (i1 - i0 - 1)) / 2 : (i1 - i0) * (j1 - j0);
    }
    for (let j0 = 0; j0 < y.n; j0 += TILE) {
      const j1 = Math.min(y.n, j0 + TILE);
      out.sxy[t] += tile(x.data, i0, i1, y.data, j0, j1, x.dim, gamma, false, out.nnX, null);
    }
    onPairs?.(pairs + (i1 - i0) * y.n);
  }
  for (let t = part; t < ty; t += parts) {
    const i0 = t * TILE;
    const i1 = Math.min(y.n, i0 + TILE);
    let pairs = 0;
    for (let j0 = i0; j0 < y.n; j0 += TILE) {
      const j1 = Math.min(y.n, j0 + TILE);
      out.syy[t] += tile(y.data, i0, i1, y.data, j0, j1, y.dim, gamma, j0 === i0, out.nnY, out.nnY);
      pairs += j0 === i0 ? ((i1 - i0) * (i1 - i0 - 1)) / 2 : (i1 - i0) * (j1 - j0);
    }
    onPairs?.(pairs);
  }
  return out;
}

/** Combines the parts of one pass (any number, any order) into the statistic and the NN distances. */
export function mmdFromPartials(parts: MmdPartial[], nx: number, ny: number): MmdResult {
  const sum = (key: "sxx" | "syy" | "sxy") => {
    let s = 0;
    const n = parts[0][key].length;
    for (let t = 0; t < n; t++) {
      let v = 0;
      for (const p of parts) v += p[key][t]; // one part owns tile t; the others hold 0
      s += v;
    }
    return s;
  };
  const nnX = new Float64Array(nx).fill(Infinity);
  const nnY = new Float64Array(ny).fill(Infinity);
  for (const p of parts) {
    for (let i = 0; i < nx; i++) if (p.nnX[i] < nnX[i]) nnX[i] = p.nnX[i];
    for (let i = 0; i < ny; i++) if (p.nnY[i] < nnY[i]) nnY[i] = p.nnY[i];
  }
  for (let i = 0; i < nx; i++) nnX[i] = Math.sqrt(nnX[i]);
  for (let i = 0; i < ny; i++) nnY[i] = Math.sqrt(nnY[i]);
  const meanKxx = (2 * sum("sxx")) / (nx * (nx - 1));
  const meanKyy = (2 * sum("syy")) / (ny * (ny - 1));
  const meanKxy = sum("sxy") / (nx * ny);
  return { mmd2: meanKxx + meanKyy - 2 * meanKxy, meanKxx, meanKyy, meanKxy, nnDomainToReference: nnX, nnReferenceToReference: nnY };
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
