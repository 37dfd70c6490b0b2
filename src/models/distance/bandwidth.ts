/**
 * The median heuristic for the Gaussian kernel's bandwidth: σ = the median Euclidean distance
 * over all pairs i < j of the pooled sample (for an even number of pairs, the mean of the two
 * middle values), exactly as numpy's median of scipy's pdist.
 * Up to MAX_STORED_PAIRS pairs the distances are stored and sorted. Beyond that, an exact
 * selection in two passes without storing them: a histogram of all distances locates the bins
 * holding the middle ranks, and a second pass keeps only the distances in those bins. Both passes
 * compute each distance the same way, so the result is the same number the sort would give.
 */
import { squaredDistance, type VectorSet } from "./vectors.js";

/** 8 M pairs = 64 MB of float64 (a pool of ~4,000 vectors) are stored and sorted. */
export const MAX_STORED_PAIRS = 8_000_000;
const BINS = 1 << 20;

/** `maxStoredPairs` (default MAX_STORED_PAIRS) picks the method; both give the same number. */
export function medianPairwiseDistance(s: VectorSet, opts: { onPairs?: (n: number) => void; maxStoredPairs?: number } = {}): number {
  const { n } = s;
  if (n < 2) throw new RangeError("the median pairwise distance needs at least 2 vectors");
  const m = (n * (n - 1)) / 2;
  return m <= (opts.maxStoredPairs ?? MAX_STORED_PAIRS) ? sortedMedian(s) : selectedMedian(s, opts.onPairs);
}

function sortedMedian(s: VectorSet): number {
  const { n, dim, data } = s;
  const m = (n * (n - 1)) / 2;
  const dist = new Float64Array(m);
  let p = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) dist[p++] = Math.sqrt(squaredDistance(data, i, data, j, dim));
  dist.sort();
  return m % 2 ? dist[(m - 1) / 2] : (dist[m / 2 - 1] + dist[m / 2]) / 2;
}

function selectedMedian(s: VectorSet, onPairs?: (n: number) => void): number {
  const scale = histogramScale(s);
  const plan = middleBins(pairHistogram(s, scale, 0, 1, onPairs), s.n);
  return medianFromBins([pairsInBins(s, scale, plan, 0, 1, onPairs)], plan);
}

/** Bins per unit distance: every distance is at most 2·max_i d(x_i, x_0) (triangle inequality). */
export function histogramScale(s: VectorSet): number {
  let r = 0;
  for (let i = 1; i < s.n; i++) r = Math.max(r, Math.sqrt(squaredDistance(s.data, i, s.data, 0, s.dim)));
  return BINS / (2 * r * (1 + 1e-12) || 1);
}

function binOf(d: number, scale: number): number {
  return Math.min(BINS - 1, Math.floor(d * scale));
}

/** Pass 1, one share (rows i with i % parts === part): counts of the pair distances per bin. */
export function pairHistogram(s: VectorSet, scale: number, part: number, parts: number, onPairs?: (n: number) => void): Uint32Array {
  const { n, dim, data } = s;
  const counts = new Uint32Array(BINS);
  for (let i = part; i < n; i += parts) {
    for (let j = i + 1; j < n; j++) counts[binOf(Math.sqrt(squaredDistance(data, i, data, j, dim)), scale)]++;
    onPairs?.(n - 1 - i);
  }
  return counts;
}

export interface MedianBins {
  b1: number;
  b2: number;
  /** distances in the bins below b1 */
  before: number;
  /** 0-based ranks of the two middle values (equal for an odd count) */
  k1: number;
  k2: number;
}

/** Adds the parts' histograms and finds the bins holding the middle ranks. */
export function middleBins(counts: Uint32Array | Uint32Array[], n: number): MedianBins {
  const all = Array.isArray(counts) ? counts : [counts];
  const m = (n * (n - 1)) / 2;
  const k1 = m % 2 ? (m - 1) / 2 : m / 2 - 1;
  const k2 = m % 2 ? k1 : m / 2;
  let cum = 0;
  let b1 = -1;
  let before = 0;
  for (let b = 0; b < BINS; b++) {
    let c = 0;
    for (const h of all) c += h[b];
    if (b1 < 0 && cum + c > k1) {
      b1 = b;
      before = cum;
    }
    if (cum + c > k2) return { b1, b2: b, before, k1, k2 };
    cum += c;
  }
  throw new RangeError(`histogram holds ${cum} distances, expected ${m}`);
}

/** Pass 2, one share: the distances that fall in bins b1..b2. */
export function pairsInBins(s: VectorSet, scale: number, plan: MedianBins, part: number, parts: number, onPairs?: (n: number) => void): Float64Array {
  const { n, dim, data } = s;
  let kept = new Float64Array(1024);
  let p = 0;
  for (let i = part; i < n; i += parts) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.sqrt(squaredDistance(data, i, data, j, dim));
      const b = binOf(d, scale);
      if (b < plan.b1 || b > plan.b2) continue;
      if (p === kept.length) {
        const grown = new Float64Array(kept.length * 2);
        grown.set(kept);
        kept = grown;
      }
      kept[p++] = d;
    }
    onPairs?.(n - 1 - i);
  }
  return kept.subarray(0, p);
}

export function medianFromBins(parts: Float64Array[], plan: MedianBins): number {
  let size = 0;
  for (const q of parts) size += q.length;
  const kept = new Float64Array(size);
  let o = 0;
  for (const q of parts) {
    kept.set(q, o);
    o += q.length;
  }
  kept.sort();
  return (kept[plan.k1 - plan.before] + kept[plan.k2 - plan.before]) / 2;
}
