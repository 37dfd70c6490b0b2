/**
 * Limited-memory BFGS for smooth unconstrained problems, following SciPy's L-BFGS-B (v3.0)
 * without bounds so that fits converge to the same optimum under the same rules:
 * memory m = 10, Moré–Thuente line search (ftol 1e-3, gtol 0.9, xtol 0.1, at most 20
 * evaluations), first step 1/||d||, then 1; stop when ||g||∞ <= pgtol (1e-5) or the
 * relative decrease (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) <= factr·eps (factr 1e7);
 * a failed line search restarts from steepest descent once before giving up.
 * Without bounds, L-BFGS-B's compact representation equals the two-loop recursion used here.
 */
import { MoreThuente } from "./line-search.js";

/** Writes the gradient at x into g and returns f(x). Must not keep references to x or g. */
export type Objective = (x: Float64Array, g: Float64Array) => number;

export interface LbfgsOptions {
  m?: number;
  /** SciPy's factr: the relative-reduction tolerance is factr × machine epsilon. */
  factr?: number;
  pgtol?: number;
  maxIter?: number;
  maxEval?: number;
  maxLineSearch?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  grad: Float64Array;
  iterations: number;
  evaluations: number;
  converged: boolean;
  message: string;
}

const EPS = 2.220446049250313e-16;

function dot(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

function normInf(a: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(a[i]);
    if (v > s) s = v;
  }
  return s;
}

/**
 * A reusable minimiser for one problem size: allocate once, call `minimize` for many starts
 * (grid searches and bootstrap refits run thousands of them).
 */
export class Lbfgs {
  private readonly S: Float64Array[];
  private readonly Y: Float64Array[];
  private readonly rho: Float64Array;
  private readonly alpha: Float64Array;
  private readonly x: Float64Array;
  private readonly g: Float64Array;
  private readonly xOld: Float64Array;
  private readonly gOld: Float64Array;
  private readonly d: Float64Array;
  private readonly opts: Required<LbfgsOptions>;

  constructor(
    readonly n: number,
    options: LbfgsOptions = {},
  ) {
    this.opts = { m: 10, factr: 1e7, pgtol: 1e-5, maxIter: 15000, maxEval: 15000, maxLineSearch: 20, ...options };
    const m = this.opts.m;
    this.S = Array.from({ length: m }, () => new Float64Array(n));
    this.Y = Array.from({ length: m }, () => new Float64Array(n));
    this.rho = new Float64Array(m);
    this.alpha = new Float64Array(m);
    this.x = new Float64Array(n);
    this.g = new Float64Array(n);
    this.xOld = new Float64Array(n);
    this.gOld = new Float64Array(n);
    this.d = new Float64Array(n);
  }

  minimize(fg: Objective, x0: ArrayLike<number>): LbfgsResult {
    const { n, x, g, xOld, gOld, d, S, Y, rho, alpha } = this;
    const { m, factr, pgtol, maxIter, maxEval, maxLineSearch } = this.opts;
    for (let i = 0; i < n; i++) x[i] = x0[i];
    let f = fg(x, g);
    let evals = 1;
    const done = (converged: boolean, message: string, iterations: number): LbfgsResult => ({
      x: Float64Array.from(x),
      f,
      grad: Float64Array.from(g),
      iterations,
      evaluations: evals,
      converged,
      message,
    });
    if (!Number.isFinite(f)) return done(false, "objective is not finite at the starting point", 0);
    if (normInf(g, n) <= pgtol) return done(true, "projected gradient <= pgtol", 0);

    let stored = 0; // pairs held in memory
    let head = 0; // slot of the next pair to write
    let gamma = 1; // H0 = gamma·I, gamma = s'y / y'y of the newest pair
    const search = new MoreThuente(1e-3, 0.9, 0.1, 0, 1e10);

    for (let iter = 0; iter < maxIter; ) {
      // d = −H·g by the two-loop recursion.
      for (let i = 0; i < n; i++) d[i] = -g[i];
      for (let k = 0; k < stored; k++) {
        const j = (head - 1 - k + m) % m;
        const a = rho[j] * dot(S[j], d, n);
        alpha[j] = a;
        const y = Y[j];
        for (let i = 0; i < n; i++) d[i] -= a * y[i];
      }
      if (stored > 0) for (let i = 0; i < n; i++) d[i] *= gamma;
      for (let k = stored - 1; k >= 0; k--) {
        const j = (head - 1 - k + m) % m;
        const b = alpha[j] - rho[j] * dot(Y[j], d, n);
        const s = S[j];
        for (let i = 0; i < n; i++) d[i] += b * s[i];
      }

      let gd = dot(g, d, n);
      if (!(gd < 0)) {
        // Not a descent direction (numerical trouble): drop the memory and use −g.
        if (stored === 0) return done(false, "no descent direction", iter);
        stored = 0;
        head = 0;
        continue;
      }

      xOld.set(x);
      gOld.set(g);
      const fOld = f;
      const gdOld = gd;
      let dnorm = 0;
      for (let i = 0; i < n; i++) dnorm += d[i] * d[i];
      dnorm = Math.sqrt(dnorm);
      search.start(iter === 0 ? Math.min(1 / dnorm, 1e10) : 1, f, gd);
      let lsEvals = 0;
      let ok = false;
      while (true) {
        const stp = search.stp;
        for (let i = 0; i < n; i++) x[i] = xOld[i] + stp * d[i];
        f = fg(x, g);
        evals++;
        lsEvals++;
        gd = dot(g, d, n);
        search.next(f, gd);
        if (search.status !== "evaluate") {
          ok = Number.isFinite(f);
          break;
        }
        if (lsEvals >= maxLineSearch || evals >= maxEval) break;
      }
      // MINPACK returns with stp equal to the last evaluated step, so x, f, g are current.
      if (!ok || search.stp !== search.stp) {
        // Line search failed: restore, and restart from steepest descent unless we just did.
        x.set(xOld);
        g.set(gOld);
        f = fOld;
        if (stored === 0) return done(false, "line search failed", iter);
        stored = 0;
        head = 0;
        if (evals >= maxEval) return done(false, "maximum evaluations reached", iter);
        continue;
      }
      iter++;

      if (normInf(g, n) <= pgtol) return done(true, "projected gradient <= pgtol", iter);
      const scale = Math.max(Math.abs(fOld), Math.abs(f), 1);
      if (fOld - f <= factr * EPS * scale) return done(true, "relative reduction of f <= factr*eps", iter);
      if (evals >= maxEval) return done(false, "maximum evaluations reached", iter);

      // Curvature pair; skipped when s'y is not safely positive, as L-BFGS-B does.
      const stp = search.stp;
      const s = S[head];
      const y = Y[head];
      let yy = 0;
      for (let i = 0; i < n; i++) {
        s[i] = x[i] - xOld[i];
        y[i] = g[i] - gOld[i];
        yy += y[i] * y[i];
      }
      const sy = (gd - gdOld) * stp;
      if (sy <= EPS * (-gdOld * stp)) continue;
      rho[head] = 1 / dot(s, y, n);
      gamma = dot(s, y, n) / yy;
      head = (head + 1) % m;
      if (stored < m) stored++;
    }
    return done(false, "maximum iterations reached", maxIter);
  }
}

/** One-shot convenience wrapper. */
export function minimizeLbfgs(fg: Objective, x0: ArrayLike<number>, options: LbfgsOptions = {}): LbfgsResult {
  return new Lbfgs(x0.length, options).minimize(fg, x0);
}
