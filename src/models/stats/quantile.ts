/**
 * Quantiles with linear interpolation between order statistics (Hyndman–Fan type 7, the
 * default of numpy.quantile and R), so intervals match what people compute in notebooks.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Quantiles of values (NaN entries are ignored). */
export function quantiles(values: ArrayLike<number>, qs: number[]): number[] {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) finite.push(values[i]);
  const sorted = Float64Array.from(finite).sort();
  return qs.map((q) => quantileSorted(sorted, q));
}

/** Equal-tailed interval holding `level` of the mass, e.g. 0.95 → [q0.025, q0.975]. */
export function percentileInterval(values: ArrayLike<number>, level = 0.95): [number, number] {
  const a = (1 - level) / 2;
  const [lo, hi] = quantiles(values, [a, 1 - a]);
  return [lo, hi];
}
