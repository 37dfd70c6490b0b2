/**
 * A sample of embedding vectors: n rows of `dim` numbers, row-major. Float32 (what embedders
 * return) or float64 (what a parity test or a user's precomputed vectors may carry); every sum
 * over them is taken in float64.
 */
export type VectorData = Float32Array | Float64Array;

export interface VectorSet {
  data: VectorData;
  n: number;
  dim: number;
}

export function vectorSet(data: VectorData, dim: number): VectorSet {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`vector dimension must be a positive integer, got ${dim}`);
  if (data.length % dim !== 0) throw new RangeError(`${data.length} numbers do not split into rows of ${dim}`);
  return { data, n: data.length / dim, dim };
}

/** Throws when the two samples cannot be compared (different dimensions, non-finite values). */
export function checkComparable(a: VectorSet, b: VectorSet, minRows = 2): void {
  if (a.dim !== b.dim) throw new RangeError(`vector dimensions differ: ${a.dim} (domain) vs ${b.dim} (reference)`);
  if (a.n < minRows || b.n < minRows) throw new RangeError(`each sample needs at least ${minRows} vectors (domain ${a.n}, reference ${b.n})`);
  for (const [name, s] of [["domain", a], ["reference", b]] as const) {
    for (let i = 0; i < s.data.length; i++) {
      if (!Number.isFinite(s.data[i])) throw new RangeError(`${name} vector ${Math.floor(i / s.dim)} has a non-finite value`);
    }
  }
}

/** Squared Euclidean distance between row i of A and row j of B (dimension d), summed in float64. */
export function squaredDistance(A: VectorData, i: number, B: VectorData, j: number, d: number): number {
  const ao = i * d;
  const bo = j * d;
  let s = 0;
  for (let k = 0; k < d; k++) {
    const t = A[ao + k] - B[bo + k];
    s += t * t;
  }
  return s;
}

/** Rows `idx` of `s` as a new float64 set (subsamples, pooled samples). */
export function takeRows(s: VectorSet, idx: ArrayLike<number>): VectorSet {
  const out = new Float64Array(idx.length * s.dim);
  for (let r = 0; r < idx.length; r++) {
    const o = idx[r] * s.dim;
    for (let k = 0; k < s.dim; k++) out[r * s.dim + k] = s.data[o + k];
  }
  return { data: out, n: idx.length, dim: s.dim };
}

/** The rows of `a` followed by those of `b`. */
export function concatRows(a: VectorSet, b: VectorSet): VectorSet {
  const out = new Float64Array((a.n + b.n) * a.dim);
  out.set(a.data, 0);
  out.set(b.data, a.n * a.dim);
  return { data: out, n: a.n + b.n, dim: a.dim };
}
