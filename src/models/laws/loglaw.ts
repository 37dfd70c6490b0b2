/**
 * Isik et al. 2024's log-law for downstream quality after fine-tuning (e.g. BLEU) as a function
 * of pretraining tokens: y = (log(A·x^alpha))^beta, natural log. Fitted in log space as
 * log y = β·ln(a + α ln x) with a = ln A; θ = (a, alpha, beta). Where a + α ln x <= 0 the
 * law is undefined and the objective is +∞, which the line search steps back from.
 */
import { grid, lnColumn, type FitData, type Law } from "./types.js";

export const loglaw: Law = {
  name: "loglaw",
  params: ["A", "alpha", "beta"],
  inputs: ["x"],
  space: "log",
  defaultDelta: 1e-3,
  logInputs: [true],
  dim: 3,
  formula: "y = (log(A * x^alpha))^beta",
  prepare: (x) => [lnColumn(x[0])],
  evaluate(theta, [lx], out, jac) {
    const a = theta[0];
    const alpha = theta[1];
    const beta = theta[2];
    for (let i = 0; i < out.length; i++) {
      const u = a + alpha * lx[i];
      const lu = u > 0 ? Math.log(u) : NaN;
      out[i] = beta * lu;
      if (jac) {
        const o = i * 3;
        jac[o] = beta / u;
        jac[o + 1] = (beta * lx[i]) / u;
        jac[o + 2] = lu;
      }
    }
  },
  starts(data: FitData) {
    // Keep a + α ln x > 0 over the data: a = c − α·min ln x for a few margins c.
    let lmin = Infinity;
    for (const v of data.x[0]) lmin = Math.min(lmin, Math.log(v));
    const out: Float64Array[] = [];
    for (const [alpha, beta, c] of grid([
      [0.01, 0.03, 0.1, 0.3, 1],
      [0.25, 0.5, 1, 2, 4],
      [0.5, 1, 2, 5, 10, 30],
    ])) {
      out.push(Float64Array.from([c - alpha * lmin, alpha, beta]));
    }
    return out;
  },
  toParams: (t) => ({ A: Math.exp(t[0]), alpha: t[1], beta: t[2] }),
  fromParams: (p) => Float64Array.from([Math.log(p.A), p.alpha, p.beta]),
  predict: (p, [x]) => Math.pow(Math.log(p.A * Math.pow(x, p.alpha)), p.beta),
};
