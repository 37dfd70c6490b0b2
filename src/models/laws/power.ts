/**
 * Power law with an irreducible term, y = E + A / x^alpha (Kaplan-style loss curves; Isik et
 * al.'s downstream cross-entropy L(D) = E + A/D^alpha). Fitted like Chinchilla, in log space
 * as log y = LSE(a − α ln x, e) with A = e^a, E = e^e, which keeps E and A positive.
 */
import { grid, lnColumn, range, type Law } from "./types.js";

export const power: Law = {
  name: "power",
  params: ["E", "A", "alpha"],
  inputs: ["x"],
  space: "log",
  defaultDelta: 1e-3,
  logInputs: [true],
  dim: 3,
  formula: "y = E + A / x^alpha",
  prepare: (x) => [lnColumn(x[0])],
  evaluate(theta, [lx], out, jac) {
    const a = theta[0];
    const e = theta[1];
    const alpha = theta[2];
    for (let i = 0; i < out.length; i++) {
      const t1 = a - alpha * lx[i];
      const m = t1 > e ? t1 : e;
      const w1 = Math.exp(t1 - m);
      const w2 = Math.exp(e - m);
      const s = w1 + w2;
      out[i] = m + Math.log(s);
      if (jac) {
        const o = i * 3;
        jac[o] = w1 / s;
        jac[o + 1] = w2 / s;
        jac[o + 2] = (-w1 / s) * lx[i];
      }
    }
  },
  starts: () => grid([range(0, 25, 5), range(-1, 1, 0.5), range(0, 2, 0.5)]),
  toParams: (t) => ({ E: Math.exp(t[1]), A: Math.exp(t[0]), alpha: t[2] }),
  fromParams: (p) => Float64Array.from([Math.log(p.A), Math.log(p.E), p.alpha]),
  predict: (p, [x]) => p.E + p.A / Math.pow(x, p.alpha),
};
