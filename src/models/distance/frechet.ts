/**
 * Fréchet distance between Gaussians fitted to two samples, as pytorch-fid computes it:
 *   ‖μ₁−μ₂‖² + Tr(Σ₁) + Tr(Σ₂) − 2 Tr((Σ₁Σ₂)^{1/2}),  covariances with N−1 (numpy's np.cov).
 * Tr((Σ₁Σ₂)^{1/2}) is the sum of the square roots of the eigenvalues of Σ₁Σ₂, which equal those
 * of the symmetric S Σ₂ S with S = Σ₁^{1/2}: two symmetric eigen-decompositions instead of a
 * general matrix square root. Tiny negative eigenvalues from rounding count as 0 (pytorch-fid
 * keeps the real part of scipy's sqrtm, which drops them the same way).
 * Regulariser: with fewer vectors than dimensions (N ≤ d) a covariance is singular; pytorch-fid
 * then adds eps·I (eps = 1e-6) to both covariances, and so does this (`regulariser` says what was added).
 */
import { symmetricEigen } from "../linalg/symeig.js";
import type { VectorSet } from "./vectors.js";

export const FRECHET_EPS = 1e-6;

export interface FrechetResult {
  frechet: number;
  /** ‖μ₁−μ₂‖² */
  meanTerm: number;
  /** Tr(Σ₁) + Tr(Σ₂) − 2 Tr((Σ₁Σ₂)^{1/2}) */
  covarianceTerm: number;
  /** eps added to both covariance diagonals (0 when none was needed). */
  regulariser: number;
}

export interface GaussianFit {
  mean: Float64Array;
  /** d × d, row-major, N−1 normalisation */
  cov: Float64Array;
}

export function fitGaussian(s: VectorSet): GaussianFit {
  const { n, dim: d, data } = s;
  if (n < 2) throw new RangeError("a covariance needs at least 2 vectors");
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] += data[i * d + k];
  for (let k = 0; k < d; k++) mean[k] /= n;
  const cov = new Float64Array(d * d);
  const c = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) c[k] = data[i * d + k] - mean[k];
    for (let a = 0; a < d; a++) {
      const ca = c[a];
      if (ca === 0) continue;
      const o = a * d;
      for (let b = a; b < d; b++) cov[o + b] += ca * c[b];
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = cov[a * d + b] / (n - 1);
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
  }
  return { mean, cov };
}

/** `eps`: "auto" (default) adds FRECHET_EPS only when a sample has N ≤ d; a number forces that offset. */
export function frechetDistance(x: VectorSet, y: VectorSet, eps: number | "auto" = "auto"): FrechetResult {
  if (x.dim !== y.dim) throw new RangeError(`vector dimensions differ: ${x.dim} vs ${y.dim}`);
  return frechetFromFits(fitGaussian(x), fitGaussian(y), x.dim, eps === "auto" ? (x.n <= x.dim || y.n <= y.dim ? FRECHET_EPS : 0) : eps);
}

export function frechetFromFits(g1: GaussianFit, g2: GaussianFit, d: number, eps: number): FrechetResult {
  let meanTerm = 0;
  for (let k = 0; k < d; k++) meanTerm += (g1.mean[k] - g2.mean[k]) ** 2;
  const s1 = Float64Array.from(g1.cov);
  const s2 = Float64Array.from(g2.cov);
  let tr1 = 0;
  let tr2 = 0;
  for (let k = 0; k < d; k++) {
    s1[k * d + k] += eps;
    s2[k * d + k] += eps;
    tr1 += s1[k * d + k];
    tr2 += s2[k * d + k];
  }
  const trSqrt = traceSqrtProduct(s1, s2, d);
  const covarianceTerm = tr1 + tr2 - 2 * trSqrt;
  return { frechet: meanTerm + covarianceTerm, meanTerm, covarianceTerm, regulariser: eps };
}

/** Tr((AB)^{1/2}) for symmetric positive semi-definite A, B (d × d). */
export function traceSqrtProduct(A: Float64Array, B: Float64Array, d: number): number {
  const ea = symmetricEigen(A, d, true);
  const V = ea.vectors!;
  // S = V diag(√λ) Vᵀ
  const sq = new Float64Array(d);
  for (let k = 0; k < d; k++) sq[k] = Math.sqrt(Math.max(0, ea.values[k]));
  const S = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += V[i * d + k] * sq[k] * V[j * d + k];
      S[i * d + j] = s;
      S[j * d + i] = s;
    }
  }
  // M = S B S, symmetrised against rounding
  const T = matmul(S, B, d);
  const M = matmul(T, S, d);
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const v = (M[i * d + j] + M[j * d + i]) / 2;
      M[i * d + j] = v;
      M[j * d + i] = v;
    }
  }
  const values = symmetricEigen(M, d, false).values;
  let tr = 0;
  for (let k = 0; k < d; k++) tr += Math.sqrt(Math.max(0, values[k]));
  return tr;
}

function matmul(A: Float64Array, B: Float64Array, d: number): Float64Array {
  const C = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const ci = i * d;
    for (let k = 0; k < d; k++) {
      const a = A[ci + k];
      if (a === 0) continue;
      const bk = k * d;
      for (let j = 0; j < d; j++) C[ci + j] += a * B[bk + j];
    }
  }
  return C;
}
