/**
 * How much to keep: an explicit fraction (--keep), BETR's compute-optimal filter rate
 * (--compute C [--pool]), or an absolute classifier score (--threshold). Default: 10%.
 */
import { optimalFilterRate, type FilterPool } from "../../models/laws/filter-rate.js";

export const DEFAULT_KEEP = 0.1;

export interface KeepPlan {
  source: "keep" | "compute" | "threshold" | "percentile";
  /** Requested fraction (of tokens or docs); NaN for an absolute threshold. */
  fraction: number;
  absolute?: number;
  compute?: { flops: number; pool: FilterPool; formula: string; percent: number; rawPercent: number; clamped: boolean };
}

export function planKeep(o: { keep?: number; compute?: number; pool?: FilterPool; threshold?: number; method: string }): KeepPlan {
  const given = [o.keep !== undefined, o.compute !== undefined, o.threshold !== undefined].filter(Boolean).length;
  if (given > 1) throw new RangeError("use only one of --keep, --compute and --threshold");
  if (o.threshold !== undefined) {
    if (!Number.isFinite(o.threshold)) throw new RangeError(`--threshold must be a number, got ${o.threshold}`);
    return { source: "threshold", fraction: NaN, absolute: o.threshold };
  }
  if (o.compute !== undefined) {
    const r = optimalFilterRate(o.compute, o.pool ?? "nemotron-cc");
    return { source: "compute", fraction: r.fraction, compute: { flops: r.computeFlops, pool: r.pool, formula: r.formula, percent: r.percent, rawPercent: r.rawPercent, clamped: r.clamped } };
  }
  const f = o.keep ?? DEFAULT_KEEP;
  if (!(f > 0 && f <= 1)) throw new RangeError(`--keep must be a fraction in (0, 1], got ${f}`);
  return { source: o.method === "classifier" ? "percentile" : "keep", fraction: f };
}
