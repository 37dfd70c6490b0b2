/**
 * The generic robust fitter: minimises Σ w_i · huber(model_i(θ) − t_i, δ) over θ with L-BFGS
 * from many starts and keeps the best converged run (Hoffmann et al.; Epoch). t_i is y or ln y
 * depending on the law's residual space. Weights are bootstrap counts (1 for a plain fit).
 */
import { Lbfgs, type LbfgsOptions } from "../optim/lbfgs.js";
import type { FitData, Law } from "./types.js";

export interface LawFit {
  theta: Float64Array;
  params: Record<string, number>;
  objective: number;
  converged: boolean;
  /** Index of the winning start in the list tried. */
  bestStart: number;
  startsTried: number;
  startsConverged: number;
  iterations: number;
  evaluations: number;
}

/** One run per start, for callers that want every local optimum (e.g. to pick bootstrap starts). */
export interface StartRun {
  start: number;
  objective: number;
  converged: boolean;
  theta: Float64Array;
}

/** Objective and gradient for one law on one data set; reusable across starts and weights. */
export class LawObjective {
  readonly features: Float64Array[];
  readonly target: Float64Array;
  readonly n: number;
  weights: Float64Array | null = null;
  private readonly pred: Float64Array;
  private readonly jac: Float64Array;

  constructor(
    readonly law: Law,
    data: FitData,
    readonly delta: number,
  ) {
    this.n = data.y.length;
    this.features = law.prepare(data.x);
    this.target = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) this.target[i] = law.space === "log" ? Math.log(data.y[i]) : data.y[i];
    this.pred = new Float64Array(this.n);
    this.jac = new Float64Array(this.n * law.dim);
  }

  /** f(θ) and ∇f(θ) into g. */
  readonly fg = (theta: Float64Array, g: Float64Array): number => {
    const { n, pred, jac, target, weights, delta } = this;
    if (this.law.huberObjective) return this.law.huberObjective(theta, this.features, target, weights, delta, g);
    const dim = this.law.dim;
    this.law.evaluate(theta, this.features, pred, jac);
    g.fill(0);
    let f = 0;
    for (let i = 0; i < n; i++) {
      const w = weights ? weights[i] : 1;
      if (w === 0) continue;
      const r = pred[i] - target[i];
      const a = r < 0 ? -r : r;
      let dr: number;
      if (a <= delta) {
        f += w * 0.5 * r * r;
        dr = w * r;
      } else {
        f += w * delta * (a - 0.5 * delta);
        dr = r > 0 ? w * delta : -w * delta;
      }
      const o = i * dim;
      for (let j = 0; j < dim; j++) g[j] += dr * jac[o + j];
    }
    return f;
  };

  /** Residuals (model − target, residual space) at θ. */
  residuals(theta: Float64Array): Float64Array {
    const out = new Float64Array(this.n);
    this.law.evaluate(theta, this.features, out, null);
    for (let i = 0; i < this.n; i++) out[i] -= this.target[i];
    return out;
  }
}

export interface FitOptions {
  delta?: number;
  starts?: Float64Array[];
  weights?: Float64Array | null;
  lbfgs?: LbfgsOptions;
  /** Called with every run (for progress or to collect local optima). */
  onRun?: (run: StartRun) => void;
}

/** Runs L-BFGS from each start on a prepared objective; returns the best (converged first). */
export function fitFromStarts(obj: LawObjective, starts: Float64Array[], opts: Pick<FitOptions, "lbfgs" | "onRun"> = {}): LawFit {
  const law = obj.law;
  const opt = new Lbfgs(law.dim, opts.lbfgs);
  let best: { theta: Float64Array; f: number; converged: boolean; start: number } | null = null;
  let nConv = 0;
  let iters = 0;
  let evals = 0;
  for (let s = 0; s < starts.length; s++) {
    const r = opt.minimize(obj.fg, starts[s]);
    iters += r.iterations;
    evals += r.evaluations;
    if (r.converged) nConv++;
    const finite = Number.isFinite(r.f) && r.x.every(Number.isFinite);
    opts.onRun?.({ start: s, objective: r.f, converged: r.converged && finite, theta: r.x });
    if (!finite) continue;
    // A converged run beats any unconverged one; among equals the lower objective wins.
    if (!best || (r.converged && !best.converged) || (r.converged === best.converged && r.f < best.f)) {
      best = { theta: r.x, f: r.f, converged: r.converged, start: s };
    }
  }
  if (!best) throw new Error(`${law.name}: no start gave a finite objective`);
  return {
    theta: best.theta,
    params: law.toParams(best.theta),
    objective: best.f,
    converged: best.converged,
    bestStart: best.start,
    startsTried: starts.length,
    startsConverged: nConv,
    iterations: iters,
    evaluations: evals,
  };
}

/** Fits a law to data from its default starts (or the given ones). */
export function fitLaw(law: Law, data: FitData, opts: FitOptions = {}): LawFit {
  const obj = new LawObjective(law, data, opts.delta ?? law.defaultDelta);
  obj.weights = opts.weights ?? null;
  return fitFromStarts(obj, opts.starts ?? law.starts(data), opts);
}
