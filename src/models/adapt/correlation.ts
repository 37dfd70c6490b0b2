/**
 * The sweep's picture: similarity vs perplexity change across domains, with Pearson's r,
 * Spearman's ρ (average ranks for ties) and the least-squares line y = a + b·x.
 */
import { spearman } from "../stats/monotone.js";
import { olsLine } from "../stats/ols-line.js";

export interface LineFit {
  intercept: number;
  slope: number;
  /** √(Σ residual² / (n − 2)); NaN for n ≤ 2. */
  residualStd: number;
  pearson: number;
  spearman: number;
  n: number;
}

export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n !== y.length) throw new RangeError("x and y have different lengths");
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

export function fitLine(x: ArrayLike<number>, y: ArrayLike<number>): LineFit {
  const n = x.length;
  if (n < 2) throw new RangeError("a line needs at least 2 points");
  const { intercept, slope } = olsLine(x, y);
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (y[i] - intercept - slope * x[i]) ** 2;
  return {
    intercept,
    slope,
    residualStd: n > 2 ? Math.sqrt(rss / (n - 2)) : NaN,
    pearson: pearson(x, y),
    spearman: spearman(Float64Array.from(x as ArrayLike<number>), Float64Array.from(y as ArrayLike<number>)),
    n,
  };
}
