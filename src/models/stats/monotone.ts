/**
 * Is a metric monotone in pretraining size? Isik et al. 2024 (arXiv 2402.04177) show that with
 * misaligned pretraining data a downstream metric (e.g. BLEU) can stall or fall as pretraining
 * grows while cross-entropy keeps improving; a smooth law fitted through such points hides
 * that. Points with equal x are averaged, then sorted by x; a reversal is a step against the
 * overall trend: a point worse than the best one at a smaller x by more than `tolerance` × the
 * range of y.
 */
export interface Reversal {
  fromX: number;
  toX: number;
  fromY: number;
  toY: number;
}

export interface Monotonicity {
  direction: "increasing" | "decreasing" | "flat";
  /** Spearman rank correlation of y with x (on the averaged points). */
  spearman: number;
  monotone: boolean;
  reversals: Reversal[];
}

function ranks(v: Float64Array): Float64Array {
  const idx = Array.from(v.keys()).sort((a, b) => v[a] - v[b]);
  const r = new Float64Array(v.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && v[idx[j + 1]] === v[idx[i]]) j++;
    for (let k = i; k <= j; k++) r[idx[k]] = (i + j) / 2;
    i = j + 1;
  }
  return r;
}

export function spearman(x: Float64Array, y: Float64Array): number {
  const rx = ranks(x);
  const ry = ranks(y);
  const n = x.length;
  const m = (n - 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (rx[i] - m) * (ry[i] - m);
    sxx += (rx[i] - m) ** 2;
    syy += (ry[i] - m) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

export function checkMonotone(x: ArrayLike<number>, y: ArrayLike<number>, tolerance = 0.1): Monotonicity {
  const groups = new Map<number, { s: number; n: number }>();
  for (let i = 0; i < x.length; i++) {
    const g = groups.get(x[i]) ?? { s: 0, n: 0 };
    g.s += y[i];
    g.n++;
    groups.set(x[i], g);
  }
  const xs = Float64Array.from(groups.keys()).sort();
  const ys = Float64Array.from(xs, (v) => groups.get(v)!.s / groups.get(v)!.n);
  const rho = xs.length > 1 ? spearman(xs, ys) : 0;
  const direction = rho > 0 ? "increasing" : rho < 0 ? "decreasing" : "flat";
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of ys) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const tol = tolerance * (hi - lo);
  const sign = rho >= 0 ? 1 : -1;
  const reversals: Reversal[] = [];
  let best = 0;
  for (let i = 1; i < xs.length; i++) {
    // Against the best value seen so far, so a slow slide is caught as well as a drop.
    if (sign * (ys[i] - ys[best]) < -tol) reversals.push({ fromX: xs[best], toX: xs[i], fromY: ys[best], toY: ys[i] });
    if (sign * (ys[i] - ys[best]) > 0) best = i;
  }
  // A weak rank correlation means there is no trend a monotone law could describe.
  const monotone = reversals.length === 0 && Math.abs(rho) >= 0.5;
  return { direction, spearman: rho, monotone, reversals };
}
