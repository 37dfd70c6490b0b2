/**
 * BETR's second stage: downstream accuracy from loss, y = c + (1 − c − d) / (1 + exp(k·(x − x0))).
 * c is the chance floor, 1 − d the ceiling, x0 the midpoint and k the steepness (k > 0 when
 * accuracy falls as loss rises). Least squares on y by default.
 */
import { grid, type FitData, type Law } from "./types.js";
import { quantiles } from "../stats/quantile.js";

/** Logistic 1/(1+e^t) without overflow for large |t|. */
function logistic(t: number): number {
  if (t > 0) {
    const e = Math.exp(-t);
    return e / (1 + e);
  }
  return 1 / (1 + Math.exp(t));
}

export const sigmoid: Law = {
  name: "sigmoid",
  params: ["c", "d", "k", "x0"],
  inputs: ["x"],
  space: "linear",
  defaultDelta: Infinity,
  logInputs: [false],
  dim: 4,
  formula: "y = c + (1 - c - d) / (1 + exp(k * (x - x0)))",
  prepare: (x) => [x[0]],
  evaluate(theta, [x], out, jac) {
    const c = theta[0];
    const d = theta[1];
    const k = theta[2];
    const x0 = theta[3];
    const span = 1 - c - d;
    for (let i = 0; i < out.length; i++) {
      const dx = x[i] - x0;
      const s = logistic(k * dx);
      out[i] = c + span * s;
      if (jac) {
        const ds = s * (1 - s);
        const o = i * 4;
        jac[o] = 1 - s;
        jac[o + 1] = -s;
        jac[o + 2] = -span * ds * dx;
        jac[o + 3] = span * ds * k;
      }
    }
  },
  starts(data: FitData) {
    const x = data.x[0];
    const [q25, q50, q75, qlo, qhi] = quantiles(x, [0.25, 0.5, 0.75, 0.05, 0.95]);
    const spread = Math.max(qhi - qlo, 1e-12);
    const ks = [1, 4, 16].flatMap((m) => [m / spread, -m / spread]);
    return grid([[0, 0.25, 0.5], [0, 0.1], ks, [q25, q50, q75]]);
  },
  // (c, d, k) and (1 − d, 1 − c, −k) are the same curve; report the one with floor c below
  // ceiling 1 − d so that estimates (and bootstrap draws) are comparable.
  toParams: (t) => (1 - t[0] - t[1] >= 0 ? { c: t[0], d: t[1], k: t[2], x0: t[3] } : { c: 1 - t[1], d: 1 - t[0], k: -t[2], x0: t[3] }),
  fromParams: (p) => Float64Array.from([p.c, p.d, p.k, p.x0]),
  predict: (p, [x]) => p.c + (1 - p.c - p.d) * logistic(p.k * (x - p.x0)),
};
