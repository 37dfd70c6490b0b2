/**
 * Ordinary least squares by Householder QR (stable for the small, correlated designs of scaling
 * baselines such as y ~ 1 + ln N + ln D), with exact leave-one-out residuals from the hat
 * matrix: e_(-i) = e_i / (1 - h_ii), no refitting.
 */

export interface LeastSquares {
  /** coefficients, in the column order of the design (intercept first when added) */
  coef: Float64Array;
  fitted: Float64Array;
  residuals: Float64Array;
  /** diagonal of the hat matrix X (X'X)^-1 X' */
  leverage: Float64Array;
}

/** Row-major design X (n x p) with an intercept column prepended when `intercept` is true. */
export function designMatrix(columns: ArrayLike<number>[], intercept = true): { X: Float64Array; n: number; p: number } {
  const n = columns.length ? columns[0].length : 0;
  const p = columns.length + (intercept ? 1 : 0);
  const X = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    let j = 0;
    if (intercept) X[i * p + j++] = 1;
    for (const c of columns) X[i * p + j++] = c[i];
  }
  return { X, n, p };
}

export function leastSquares(Xin: Float64Array, n: number, p: number, y: ArrayLike<number>): LeastSquares {
  if (n < p) throw new Error(`least squares needs at least ${p} rows, got ${n}`);
  const A = Float64Array.from(Xin); // overwritten by R (upper) and Householder vectors
  const qty = Float64Array.from(y as ArrayLike<number>);
  const vs: Float64Array[] = [];
  for (let k = 0; k < p; k++) {
    let norm = 0;
    for (let i = k; i < n; i++) norm += A[i * p + k] ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) throw new Error(`design column ${k} is linearly dependent`);
    const alpha = A[k * p + k] > 0 ? -norm : norm;
    const v = new Float64Array(n - k);
    for (let i = k; i < n; i++) v[i - k] = A[i * p + k];
    v[0] -= alpha;
    let vnorm = 0;
    for (let i = 0; i < v.length; i++) vnorm += v[i] * v[i];
    if (vnorm === 0) {
      vs.push(v);
      continue;
    }
    for (let i = 0; i < v.length; i++) v[i] /= Math.sqrt(vnorm);
    for (let j = k; j < p; j++) {
      let s = 0;
      for (let i = k; i < n; i++) s += v[i - k] * A[i * p + j];
      for (let i = k; i < n; i++) A[i * p + j] -= 2 * s * v[i - k];
    }
    let s = 0;
    for (let i = k; i < n; i++) s += v[i - k] * qty[i];
    for (let i = k; i < n; i++) qty[i] -= 2 * s * v[i - k];
    vs.push(v);
  }
  const coef = new Float64Array(p);
  for (let k = p - 1; k >= 0; k--) {
    let s = qty[k];
    for (let j = k + 1; j < p; j++) s -= A[k * p + j] * coef[j];
    const r = A[k * p + k];
    if (Math.abs(r) < 1e-12 * Math.max(1, Math.abs(A[0]))) throw new Error(`design column ${k} is linearly dependent`);
    coef[k] = s / r;
  }
  const fitted = new Float64Array(n);
  const residuals = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += Xin[i * p + j] * coef[j];
    fitted[i] = s;
    residuals[i] = (y as ArrayLike<number>)[i] - s;
  }
  // leverage h_ii = ||R^-T x_i||^2
  const leverage = new Float64Array(n);
  const z = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < p; k++) {
      let s = Xin[i * p + k];
      for (let j = 0; j < k; j++) s -= A[j * p + k] * z[j];
      z[k] = s / A[k * p + k];
    }
    let h = 0;
    for (let k = 0; k < p; k++) h += z[k] * z[k];
    leverage[i] = h;
  }
  return { coef, fitted, residuals, leverage };
}

export function predictLinear(coef: ArrayLike<number>, row: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < coef.length; j++) s += coef[j] * row[j];
  return s;
}

/** Leave-one-out absolute errors |e_i / (1 - h_ii)| of an OLS fit. */
export function looAbsErrors(fit: LeastSquares): Float64Array {
  const out = new Float64Array(fit.residuals.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.abs(fit.residuals[i] / (1 - fit.leverage[i]));
  return out;
}
