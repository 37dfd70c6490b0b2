/**
 * Risk that continued pretraining on a domain degrades perplexity on that domain. Öncel et al.
 * 2024 found degradation on domains *close* to the pretraining data (Wikipedia), improvement on
 * distant ones (S2ORC), so risk rises with similarity.
 *
 * Defaults use nearest-neighbour coverage, the one distance whose scale does not depend on the
 * embedder or the bandwidth: a domain drawn from the reference's own distribution covers ≈ 0.5,
 * one the reference does not cover ≈ 0. high ≥ 0.30, medium ≥ 0.10 (uncalibrated defaults).
 *
 * A sweep with Δperplexity for at least 3 domains calibrates instead: for each candidate metric a
 * least-squares line Δppl = a + b·metric; the metric with the strongest |Pearson r| is used, and a
 * domain is high risk where the line predicts degradation (Δppl ≥ 0), medium within one residual
 * standard deviation of it, low otherwise.
 */
import { fitLine, type LineFit } from "./correlation.js";

export type Risk = "low" | "medium" | "high";
export const RISK_METRICS = ["coverage", "mmd2", "frechet", "klDomainToReference"] as const;
export type RiskMetric = (typeof RISK_METRICS)[number];
export type Distances = Record<RiskMetric, number>;

export interface Thresholds {
  source: "default" | "calibrated";
  metric: RiskMetric;
  /** Metric value at or beyond which a domain is high / medium risk, in the metric's riskier direction. */
  high: number;
  medium: number;
  /** "above": larger values are riskier (coverage); "below": smaller values are riskier (distances). */
  direction: "above" | "below";
  /** The fitted line behind calibrated thresholds. */
  fit?: LineFit;
  note: string;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  source: "default",
  metric: "coverage",
  high: 0.3,
  medium: 0.1,
  direction: "above",
  note: "documented defaults (docs/adapt.md), not calibrated on your data",
};

export function riskOf(d: Distances, th: Thresholds = DEFAULT_THRESHOLDS): Risk {
  const v = d[th.metric];
  if (!Number.isFinite(v)) return "medium";
  const beyond = (t: number) => (th.direction === "above" ? v >= t : v <= t);
  return beyond(th.high) ? "high" : beyond(th.medium) ? "medium" : "low";
}

/** Δppl per domain is relative: adapted / base − 1 (positive = worse). Returns undefined when it cannot calibrate. */
export function calibrateThresholds(points: Array<{ distances: Distances; deltaPerplexity: number }>): Thresholds | undefined {
  const usable = points.filter((p) => Number.isFinite(p.deltaPerplexity));
  if (usable.length < 3) return undefined;
  let best: { metric: RiskMetric; fit: LineFit } | undefined;
  for (const metric of RISK_METRICS) {
    const xs = usable.map((p) => p.distances[metric]);
    if (xs.some((x) => !Number.isFinite(x))) continue;
    const fit = fitLine(xs, usable.map((p) => p.deltaPerplexity));
    if (!Number.isFinite(fit.pearson) || fit.slope === 0) continue;
    if (!best || Math.abs(fit.pearson) > Math.abs(best.fit.pearson)) best = { metric, fit };
  }
  if (!best) return undefined;
  const { fit, metric } = best;
  const s = Number.isFinite(fit.residualStd) ? fit.residualStd : 0;
  // predicted Δ = a + b·x; high where ≥ 0, medium where ≥ −s
  const high = -fit.intercept / fit.slope;
  const medium = (-s - fit.intercept) / fit.slope;
  return {
    source: "calibrated",
    metric,
    high,
    medium,
    direction: fit.slope > 0 ? "above" : "below",
    fit,
    note: `calibrated on ${fit.n} domains of this sweep: Δppl = ${fit.intercept.toPrecision(3)} + ${fit.slope.toPrecision(3)}·${metric} (Pearson ${fit.pearson.toFixed(2)}, Spearman ${fit.spearman.toFixed(2)})`,
  };
}
