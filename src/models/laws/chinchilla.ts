/**
 * Chinchilla's parametric loss L(N, D) = E + A/N^α + B/D^β (Hoffmann et al. 2022, approach 3),
 * fitted as Epoch's replication does (Besiroglu et al. 2024): in log space,
 *   log L = LSE(a − α ln N, b − β ln D, e),  A = e^a, B = e^b, E = e^e,
 * with Huber δ = 1e-3 on the log residuals, L-BFGS from every point of Hoffmann's grid
 * (α, β ∈ 0..2 step .5; e ∈ −1..1 step .5; a, b ∈ 0..25 step 5 → 4,500 starts).
 */
import { grid, lnColumn, range, type Law } from "./types.js";

export const HOFFMANN_GRID = {
  a: range(0, 25, 5),
  b: range(0, 25, 5),
  e: range(-1, 1, 0.5),
  alpha: range(0, 2, 0.5),
  beta: range(0, 2, 0.5),
};

export const chinchilla: Law = {
  name: "chinchilla",
  params: ["E", "A", "B", "alpha", "beta"],
  inputs: ["N", "D"],
  space: "log",
  defaultDelta: 1e-3,
  logInputs: [true, true],
  dim: 5,
  formula: "L(N, D) = E + A / N^alpha + B / D^beta",
  prepare: (x) => [lnColumn(x[0]), lnColumn(x[1])],
  evaluate(theta, [lnN, lnD], out, jac) {
    const a = theta[0];
    const b = theta[1];
    const e = theta[2];
    const alpha = theta[3];
    const beta = theta[4];
    const n = out.length;
    const w3 = Math.exp(e);
    for (let i = 0; i < n; i++) {
      const ln = lnN[i];
      const ld = lnD[i];
      // Unshifted exponentials: one exp fewer per point than a max-shifted LSE; the shifted
      // form is used only where these overflow or underflow to zero.
      let w1 = Math.exp(a - alpha * ln);
      let w2 = Math.exp(b - beta * ld);
      let s = w1 + w2 + w3;
      let v: number;
      if (s > 0 && s < Infinity) {
        v = Math.log(s);
      } else {
        const t1 = a - alpha * ln;
        const t2 = b - beta * ld;
        const m = Math.max(t1, t2, e);
        w1 = Math.exp(t1 - m);
        w2 = Math.exp(t2 - m);
        const w3s = Math.exp(e - m);
        s = w1 + w2 + w3s;
        v = m + Math.log(s);
        if (jac) {
          const o = i * 5;
          jac[o] = w1 / s;
          jac[o + 1] = w2 / s;
          jac[o + 2] = w3s / s;
          jac[o + 3] = (-w1 / s) * ln;
          jac[o + 4] = (-w2 / s) * ld;
        }
        out[i] = v;
        continue;
      }
      out[i] = v;
      if (jac) {
        const inv = 1 / s;
        const o = i * 5;
        jac[o] = w1 * inv;
        jac[o + 1] = w2 * inv;
        jac[o + 2] = w3 * inv;
        jac[o + 3] = -w1 * inv * ln;
        jac[o + 4] = -w2 * inv * ld;
      }
    }
  },
  huberObjective(theta, [lnN, lnD], target, weights, delta, g) {
    const a = theta[0];
    const b = theta[1];
    const alpha = theta[3];
    const beta = theta[4];
    const w3 = Math.exp(theta[2]);
    let f = 0;
    let g0 = 0;
    let g1 = 0;
    let g2 = 0;
    let g3 = 0;
    let g4 = 0;
    const n = target.length;
    for (let i = 0; i < n; i++) {
      const wt = weights === null ? 1 : weights[i];
      if (wt === 0) continue;
      const ln = lnN[i];
      const ld = lnD[i];
      const t1 = a - alpha * ln;
      const t2 = b - beta * ld;
      let w1 = Math.exp(t1);
      let w2 = Math.exp(t2);
      let w3i = w3;
      let s = w1 + w2 + w3;
      let pred: number;
      if (s > 0 && s < Infinity) {
        pred = Math.log(s);
      } else {
        // Overflow or underflow of the unshifted terms: the max-shifted log-sum-exp.
        const m = Math.max(t1, t2, theta[2]);
        w1 = Math.exp(t1 - m);
        w2 = Math.exp(t2 - m);
        w3i = Math.exp(theta[2] - m);
        s = w1 + w2 + w3i;
        pred = m + Math.log(s);
      }
      const r = pred - target[i];
      const ar = r < 0 ? -r : r;
      let dr: number;
      if (ar <= delta) {
        f += wt * 0.5 * r * r;
        dr = wt * r;
      } else {
        f += wt * delta * (ar - 0.5 * delta);
        dr = r > 0 ? wt * delta : -wt * delta;
      }
      const q = dr / s;
      const q1 = q * w1;
      const q2 = q * w2;
      g0 += q1;
      g1 += q2;
      g2 += q * w3i;
      g3 -= q1 * ln;
      g4 -= q2 * ld;
    }
    g[0] = g0;
    g[1] = g1;
    g[2] = g2;
    g[3] = g3;
    g[4] = g4;
    return f;
  },
  // Order of θ: a, b, e, alpha, beta (Epoch's notebook order).
  starts: () => grid([HOFFMANN_GRID.a, HOFFMANN_GRID.b, HOFFMANN_GRID.e, HOFFMANN_GRID.alpha, HOFFMANN_GRID.beta]),
  toParams: (t) => ({ E: Math.exp(t[2]), A: Math.exp(t[0]), B: Math.exp(t[1]), alpha: t[3], beta: t[4] }),
  fromParams: (p) => Float64Array.from([Math.log(p.A), Math.log(p.B), Math.log(p.E), p.alpha, p.beta]),
  predict: (p, [N, D]) => p.E + p.A / Math.pow(N, p.alpha) + p.B / Math.pow(D, p.beta),
};
