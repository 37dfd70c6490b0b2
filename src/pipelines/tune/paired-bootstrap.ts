/**
 * Paired bootstrap of a difference in mean score between two systems on the same items
 * (Koehn 2004; Berg-Kirkpatrick et al. 2012): resample item indices with replacement, take the
 * mean of (a_i − b_i) over the resample, and report the 2.5th / 97.5th percentiles (type 7) of
 * those means. Pairing keeps item difficulty out of the interval. Seeded, so reruns agree.
 */
import { Rng } from "../../models/stats/rng.js";
import { percentileInterval } from "../../models/stats/quantile.js";

export interface PairedDiff {
  /** mean(a) − mean(b) on all items. */
  diff: number;
  lo: number;
  hi: number;
  /** Share of resamples where a did not beat b (a one-sided bootstrap p-value for a > b). */
  pNotBetter: number;
  n: number;
  resamples: number;
}

export function pairedBootstrap(a: ArrayLike<number>, b: ArrayLike<number>, opts: { resamples?: number; seed?: number; level?: number } = {}): PairedDiff {
  const n = a.length;
  if (n !== b.length) throw new RangeError(`paired bootstrap needs equal lengths, got ${n} and ${b.length}`);
  const B = opts.resamples ?? 2000;
  const d = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    d[i] = a[i] - b[i];
    sum += d[i];
  }
  if (n === 0) return { diff: NaN, lo: NaN, hi: NaN, pNotBetter: NaN, n, resamples: 0 };
  const rng = new Rng(opts.seed ?? 0);
  const means = new Float64Array(B);
  let notBetter = 0;
  for (let r = 0; r < B; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[rng.int(n)];
    means[r] = s / n;
    if (means[r] <= 0) notBetter++;
  }
  const [lo, hi] = percentileInterval(means, opts.level ?? 0.95);
  return { diff: sum / n, lo, hi, pNotBetter: notBetter / B, n, resamples: B };
}
