/**
 * Permutation test for MMD²_u: pool the two samples, reassign the labels at random B times and
 * count how often the permuted statistic reaches the observed one; p = (1 + #{≥}) / (1 + B).
 * The pooled kernel matrix is computed once (m² float64), so each permutation costs one pass
 * over m × (size of the first sample) entries. Large samples are tested on a seeded subsample
 * (a valid test of the same hypothesis, with less power); the caller says which was used.
 */
import { Rng } from "../stats/rng.js";
import { squaredDistance, type VectorSet } from "./vectors.js";

export interface PermutationResult {
  pValue: number;
  /** MMD²_u of the (sub)samples the test ran on. */
  observed: number;
  permutations: number;
  /** How many permuted statistics were ≥ the observed one. */
  atLeast: number;
}

export function mmdPermutationTest(x: VectorSet, y: VectorSet, sigma: number, permutations: number, seed: number): PermutationResult {
  if (x.dim !== y.dim) throw new RangeError(`vector dimensions differ: ${x.dim} vs ${y.dim}`);
  if (x.n < 2 || y.n < 2) throw new RangeError("the permutation test needs at least 2 vectors per sample");
  if (!Number.isInteger(permutations) || permutations < 1) throw new RangeError(`permutations must be a positive integer, got ${permutations}`);
  const mx = x.n;
  const m = x.n + y.n;
  const d = x.dim;
  const gamma = 1 / (2 * sigma * sigma);
  const K = new Float64Array(m * m);
  const row = (i: number) => (i < mx ? { data: x.data, r: i } : { data: y.data, r: i - mx });
  let offDiagonal = 0;
  for (let i = 0; i < m; i++) {
    const a = row(i);
    for (let j = i + 1; j < m; j++) {
      const b = row(j);
      const k = Math.exp(-gamma * squaredDistance(a.data, a.r, b.data, b.r, d));
      K[i * m + j] = k;
      K[j * m + i] = k;
      offDiagonal += 2 * k;
    }
  }
  const order = new Int32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  const inX = new Uint8Array(m);
  const statistic = (): number => {
    inX.fill(0);
    for (let i = 0; i < mx; i++) inX[order[i]] = 1;
    // Σ over ordered pairs i≠j of X×X and of Y×X, from the row sums over the X columns
    let sxx = 0;
    let syx = 0;
    for (let i = 0; i < m; i++) {
      const o = i * m;
      let s = 0;
      for (let t = 0; t < mx; t++) s += K[o + order[t]];
      if (inX[i]) sxx += s - K[o + i];
      else syx += s;
    }
    const my = m - mx;
    const syy = offDiagonal - sxx - 2 * syx;
    return sxx / (mx * (mx - 1)) + syy / (my * (my - 1)) - (2 * syx) / (mx * my);
  };
  const observed = statistic();
  const rng = new Rng(seed);
  let atLeast = 0;
  for (let b = 0; b < permutations; b++) {
    for (let i = m - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    // a relative tolerance so a permutation equal to the observed labelling counts as ≥
    if (statistic() >= observed - 1e-12 * Math.abs(observed)) atLeast++;
  }
  return { pValue: (1 + atLeast) / (1 + permutations), observed, permutations, atLeast };
}
