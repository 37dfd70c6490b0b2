/**
 * BETR's fits of the compute-optimal filter rate (Mizrahi et al. 2025, arXiv 2507.12466):
 * the percentage of the candidate pool's tokens to keep for a training run of C FLOPs.
 * Bigger budgets want more (less strictly filtered) data. Used by `select --compute` and `fit`.
 */
export type FilterPool = "nemotron-cc" | "dclm-rw";

export const FILTER_RATE_LAWS: Record<FilterPool, { coef: number; exponent: number; formula: string }> = {
  "nemotron-cc": { coef: 4e-5, exponent: 0.25, formula: "4e-5 * C^0.25 %" },
  "dclm-rw": { coef: 6e-3, exponent: 0.14, formula: "6e-3 * C^0.14 %" },
};

export interface FilterRate {
  pool: FilterPool;
  computeFlops: number;
  /** Unclamped law value, in percent of tokens. */
  rawPercent: number;
  /** Clamped to (0, 100]. */
  percent: number;
  /** Fraction of tokens to keep, percent / 100. */
  fraction: number;
  clamped: boolean;
  formula: string;
}

export function optimalFilterRate(computeFlops: number, pool: FilterPool = "nemotron-cc"): FilterRate {
  if (!(computeFlops > 0) || !Number.isFinite(computeFlops)) throw new RangeError(`compute must be a positive number of FLOPs, got ${computeFlops}`);
  const law = FILTER_RATE_LAWS[pool];
  if (!law) throw new RangeError(`unknown pool '${pool}' (use nemotron-cc or dclm-rw)`);
  const rawPercent = law.coef * Math.pow(computeFlops, law.exponent);
  const percent = Math.min(100, rawPercent);
  return { pool, computeFlops, rawPercent, percent, fraction: percent / 100, clamped: rawPercent > 100, formula: law.formula };
}
