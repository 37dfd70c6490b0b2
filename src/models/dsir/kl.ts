/**
 * DSIR's KL reduction: how much closer the selected data's hashed n-gram distribution is to
 * the target's than the raw data's is. KL(t‖q) = Σ t_i (log(t_i+ε) − log(q_i+ε)), ε = 1e-8,
 * the same smoothing as the importance weights. Reduction = mean over targets of
 * KL(t‖raw) − KL(t‖selected); positive means the selection moved toward the targets.
 */
import { DSIR_EPS, normalizeCounts } from "./importance.js";

export function klDivergence(p: Float64Array, q: Float64Array): number {
  if (p.length !== q.length) throw new RangeError("distributions have different lengths");
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    if (pi > 0) s += pi * (Math.log(pi + DSIR_EPS) - Math.log(q[i] + DSIR_EPS));
  }
  return s;
}

export interface KlReduction {
  rawKL: number;
  selectedKL: number;
  reduction: number;
  perTarget: Array<{ rawKL: number; selectedKL: number }>;
}

/** All arguments are bucket counts (normalised here). */
export function klReduction(targetCounts: Float64Array[], rawCounts: Float64Array, selectedCounts: Float64Array): KlReduction {
  const raw = normalizeCounts(rawCounts);
  const sel = normalizeCounts(selectedCounts);
  const perTarget = targetCounts.map((t) => {
    const pt = normalizeCounts(t);
    return { rawKL: klDivergence(pt, raw), selectedKL: klDivergence(pt, sel) };
  });
  const n = Math.max(1, perTarget.length);
  const rawKL = perTarget.reduce((a, b) => a + b.rawKL, 0) / n;
  const selectedKL = perTarget.reduce((a, b) => a + b.selectedKL, 0) / n;
  return { rawKL, selectedKL, reduction: rawKL - selectedKL, perTarget };
}
