/**
 * Turns bootstrap parameter draws into intervals: percentile intervals for parameters, for the
 * fitted curve at new points (confidence), and for a new observation there (prediction: a
 * draw's curve plus a residual resampled from the full-data fit, in the law's residual space).
 */
import type { Law } from "../../models/laws/types.js";
import { percentileInterval, quantiles } from "../../models/stats/quantile.js";
import { Rng } from "../../models/stats/rng.js";

export interface Draws {
  /** Parameter sets that refitted successfully. */
  params: Array<Record<string, number>>;
}

export function paramIntervals(law: Law, draws: Draws, level: number): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const p of law.params) out[p] = percentileInterval(Float64Array.from(draws.params, (d) => d[p]), level);
  return out;
}

/** Per x point: the curve's values under every draw. */
export function curveDraws(law: Law, draws: Draws, x: readonly number[]): Float64Array {
  return Float64Array.from(draws.params, (p) => law.predict(p, x));
}

export function curveInterval(values: Float64Array, level: number): [number, number] {
  return percentileInterval(values, level);
}

/** Prediction interval: each draw's curve value perturbed by a resampled full-fit residual. */
export function predictionInterval(law: Law, values: Float64Array, residuals: Float64Array, level: number, seed: number): [number, number] {
  const rng = new Rng(seed);
  const out = new Float64Array(values.length);
  for (let b = 0; b < values.length; b++) {
    const r = residuals[rng.int(residuals.length)];
    // residual = model − target in residual space, so a new target is model − r.
    out[b] = law.space === "log" ? values[b] * Math.exp(-r) : values[b] - r;
  }
  const a = (1 - level) / 2;
  const [lo, hi] = quantiles(out, [a, 1 - a]);
  return [lo, hi];
}
