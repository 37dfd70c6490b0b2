/**
 * The median heuristic for the Gaussian kernel's bandwidth: σ = the median Euclidean distance
 * over all pairs i < j of the pooled sample (for an even number of pairs, the mean of the two
 * middle values, as numpy's median of scipy's pdist). All pairs are held in memory (8 bytes
 * each), so callers pass a seeded subsample of large pools; see MAX_EXACT_BANDWIDTH_POINTS.
 */
import { squaredDistance, type VectorSet } from "./vectors.js";

/** 4,000 points = 8.0 M pairs = 64 MB: the largest pool whose median is taken over all pairs. */
export const MAX_EXACT_BANDWIDTH_POINTS = 4000;

export function medianPairwiseDistance(s: VectorSet): number {
  const { n, dim, data } = s;
  if (n < 2) throw new RangeError("the median pairwise distance needs at least 2 vectors");
  const m = (n * (n - 1)) / 2;
  const dist = new Float64Array(m);
  let p = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) dist[p++] = Math.sqrt(squaredDistance(data, i, data, j, dim));
  dist.sort();
  return m % 2 ? dist[(m - 1) / 2] : (dist[m / 2 - 1] + dist[m / 2]) / 2;
}
