/**
 * Choosing the keep threshold on the held-out sample (BETR step 5). Documents are ordered by
 * score, highest first, and ties are broken by a seeded per-document uniform `tie` (lower
 * first), so the same threshold can be applied shard by shard at corpus scale and still
 * split tied scores deterministically: keep iff score > T.score or (score == T.score and
 * tie <= T.tie). A score of -Infinity (masked, e.g. DSIR's short docs) is never kept.
 */
export interface Threshold {
  score: number;
  tie: number;
}

export const KEEP_ALL: Threshold = { score: -Number.MAX_VALUE, tie: 1 };
export const KEEP_NONE: Threshold = { score: Infinity, tie: -1 };

export function keeps(t: Threshold, score: number, tie: number): boolean {
  if (score === -Infinity || Number.isNaN(score)) return false;
  return score > t.score || (score === t.score && tie <= t.tie);
}

/** Absolute threshold (e.g. DCLM's 0.018112): keep iff score >= value. */
export function absoluteThreshold(value: number): Threshold {
  return { score: value, tie: 1 };
}

export interface FractionThreshold {
  threshold: Threshold;
  /** Fraction of the weight (tokens or docs) the threshold keeps on the sample itself. */
  achieved: number;
  keptDocs: number;
}

/**
 * The smallest prefix of the score order whose weight reaches `fraction` of the total
 * weight (all docs count in the total, masked ones too). `weights` are token counts for
 * keep-by tokens, or all ones for keep-by docs.
 */
export function thresholdForFraction(scores: Float64Array, ties: Float64Array, weights: Float64Array, fraction: number): FractionThreshold {
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`keep fraction must be in (0, 1], got ${fraction}`);
  const n = scores.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i];
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (scores[i] !== -Infinity && !Number.isNaN(scores[i])) order.push(i);
  if (order.length === 0 || total <= 0) return { threshold: KEEP_NONE, achieved: 0, keptDocs: 0 };
  order.sort((a, b) => scores[b] - scores[a] || ties[a] - ties[b] || a - b);
  if (fraction >= 1) return { threshold: KEEP_ALL, achieved: order.reduce((s, i) => s + weights[i], 0) / total, keptDocs: order.length };
  const target = fraction * total;
  let cum = 0;
  let k = 0;
  for (; k < order.length; k++) {
    cum += weights[order[k]];
    // Relative tolerance so that e.g. 0.3 * 10 docs keeps exactly 3, not 4.
    if (cum >= target * (1 - 1e-12)) break;
  }
  if (k === order.length) k = order.length - 1;
  const last = order[k];
  return { threshold: { score: scores[last], tie: ties[last] }, achieved: cum / total, keptDocs: k + 1 };
}
