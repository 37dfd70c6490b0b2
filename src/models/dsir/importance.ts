/**
 * DSIR importance weights (Xie et al. 2023): bag-of-hashed-n-grams models of the target and
 * the raw data; a document's log importance weight is Σ_features log(p_t+1e-8) − log(p_r+1e-8),
 * i.e. counts · logDiff. Documents under `minTokens` tokens are masked out (-Infinity).
 */
export const DSIR_EPS = 1e-8;
export const DSIR_MIN_TOKENS = 100;

/** Counts → probabilities; with `smoothing`, adds a pseudo-count to every bucket first. */
export function normalizeCounts(counts: Float64Array, smoothing = 0): Float64Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i] + smoothing;
  const p = new Float64Array(counts.length);
  if (total <= 0) return p;
  for (let i = 0; i < counts.length; i++) p[i] = (counts[i] + smoothing) / total;
  return p;
}

/** log(p_t + 1e-8) − log(p_r + 1e-8) per bucket. */
export function dsirLogDiff(targetCounts: Float64Array, rawCounts: Float64Array, targetSmoothing = 0): Float64Array {
  if (targetCounts.length !== rawCounts.length) throw new RangeError("target and raw counts have different bucket counts");
  const pt = normalizeCounts(targetCounts, targetSmoothing);
  const pr = normalizeCounts(rawCounts);
  const out = new Float64Array(pt.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.log(pt[i] + DSIR_EPS) - Math.log(pr[i] + DSIR_EPS);
  return out;
}

/**
 * Log importance weight of one document from its feature bucket ids. `tokens` is its token
 * count (DSIR's length), used for the short-document mask.
 */
export function dsirLogWeight(ids: Int32Array, count: number, tokens: number, logDiff: Float64Array, minTokens = DSIR_MIN_TOKENS): number {
  if (tokens < minTokens) return -Infinity;
  let s = 0;
  for (let i = 0; i < count; i++) s += logDiff[ids[i]];
  return s;
}

/** A standard Gumbel draw from a uniform u in [0,1): −log(−log u); u = 0 is nudged inwards. */
export function gumbelFromUniform(u: number): number {
  const v = u <= 0 ? 2 ** -53 : u;
  return -Math.log(-Math.log(v));
}

/**
 * Gumbel top-k: sampling k items without replacement with probabilities ∝ exp(logWeight).
 * `noise[i]` are standard Gumbel draws. Masked items (-Infinity) are never chosen. Ties
 * break by index, so the result is deterministic. Returns chosen indices, best first.
 */
export function gumbelTopK(logWeights: Float64Array, noise: Float64Array, k: number): Int32Array {
  const idx: number[] = [];
  for (let i = 0; i < logWeights.length; i++) if (logWeights[i] !== -Infinity) idx.push(i);
  const key = (i: number) => logWeights[i] + noise[i];
  idx.sort((a, b) => key(b) - key(a) || a - b);
  return Int32Array.from(idx.slice(0, Math.max(0, k)));
}
