/**
 * L2-regularised logistic regression on sparse rows, as scikit-learn's
 * LogisticRegression(class_weight="balanced", C) with the lbfgs solver: minimise
 * Σ s_i·log(1 + exp(−y_i(w·x_i + b))) + ‖w‖²/(2C), the intercept unpenalised, s_i = n/(2·n_class).
 * Only the columns that occur in the training rows get a weight (the rest stay 0), so the
 * optimiser works in the training vocabulary, not in all hashed buckets.
 */
import { Lbfgs } from "../optim/lbfgs.js";
import type { Csr } from "./csr.js";

export interface LogRegModel {
  /** Weight per column of the full (hashed) space. */
  w: Float32Array;
  bias: number;
  iterations: number;
  converged: boolean;
}

/** `tight` converges to the optimum's 6th digit (parity tests); the default stops at L-BFGS-B's factr 1e7, which ranks documents the same. */
export function trainLogReg(x: Csr, y: Uint8Array, columns: number, opts: { C: number; maxIter?: number; tight?: boolean }): LogRegModel {
  const n = x.rows;
  let nPos = 0;
  for (let i = 0; i < n; i++) nPos += y[i]!;
  if (nPos === 0 || nPos === n) throw new RangeError(`logistic regression needs both classes (${nPos} positive of ${n})`);
  const sPos = n / (2 * nPos);
  const sNeg = n / (2 * (n - nPos));
  // Compact column ids: training vocabulary → 0..d-1.
  const compact = new Int32Array(columns).fill(-1);
  const used: number[] = [];
  const nnz = x.ptr[n]!;
  const cidx = new Int32Array(nnz);
  for (let k = 0; k < nnz; k++) {
    const c = x.idx[k]!;
    if (compact[c] === -1) {
      compact[c] = used.length;
      used.push(c);
    }
    cidx[k] = compact[c]!;
  }
  const d = used.length;
  const lambda = 1 / opts.C;
  const z = new Float64Array(n);
  const objective = (p: Float64Array, g: Float64Array): number => {
    const b = p[d]!;
    let f = 0;
    g.fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      let zi = b;
      for (let k = x.ptr[i]!; k < x.ptr[i + 1]!; k++) zi += p[cidx[k]!]! * x.val[k]!;
      z[i] = zi;
      const yi = y[i] ? 1 : -1;
      const s = y[i] ? sPos : sNeg;
      const m = yi * zi;
      // log(1 + e^-m), stably
      f += s * (m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m)));
      // d/dz = -y·s·σ(-m)
      const r = -yi * s * (m > 0 ? Math.exp(-m) / (1 + Math.exp(-m)) : 1 / (1 + Math.exp(m)));
      gb += r;
      for (let k = x.ptr[i]!; k < x.ptr[i + 1]!; k++) g[cidx[k]!]! += r * x.val[k]!;
    }
    let ww = 0;
    for (let j = 0; j < d; j++) {
      ww += p[j]! * p[j]!;
      g[j]! += lambda * p[j]!;
    }
    g[d] = gb;
    return f + 0.5 * lambda * ww;
  };
  const res = new Lbfgs(d + 1, { maxIter: opts.maxIter ?? 1000, ...(opts.tight ? { factr: 10, pgtol: 1e-9 } : {}) }).minimize(objective, new Float64Array(d + 1));
  const w = new Float32Array(columns);
  for (let j = 0; j < d; j++) w[used[j]!] = res.x[j]!;
  return { w, bias: res.x[d]!, iterations: res.iterations, converged: res.converged };
}
