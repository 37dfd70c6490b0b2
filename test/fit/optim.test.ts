import { describe, expect, it } from "vitest";
import { minimizeLbfgs } from "../../src/models/optim/lbfgs.js";
import { MoreThuente } from "../../src/models/optim/line-search.js";
import { huber, huberDeriv } from "../../src/models/optim/huber.js";

function rosenbrock(n: number) {
  return (x: Float64Array, g: Float64Array): number => {
    let f = 0;
    g.fill(0);
    for (let i = 0; i < n - 1; i++) {
      const a = x[i + 1] - x[i] * x[i];
      const b = 1 - x[i];
      f += 100 * a * a + b * b;
      g[i] += -400 * a * x[i] - 2 * b;
      g[i + 1] += 200 * a;
    }
    return f;
  };
}

describe("L-BFGS", () => {
  it("minimises the Rosenbrock function in 2 and 10 dimensions", () => {
    for (const n of [2, 10]) {
      const x0 = new Float64Array(n).fill(-1.2);
      const r = minimizeLbfgs(rosenbrock(n), x0);
      expect(r.converged).toBe(true);
      for (const v of r.x) expect(v).toBeCloseTo(1, 4);
      expect(r.f).toBeLessThan(1e-9);
      // SciPy's L-BFGS-B needs ~35 iterations on 2-D Rosenbrock from (-1.2, -1.2); a broken
      // line search or update takes hundreds.
      if (n === 2) expect(r.iterations).toBeLessThan(60);
    }
  });

  it("solves a convex quadratic exactly and stops on the gradient test", () => {
    const diag = [1, 10, 100, 1000];
    const fg = (x: Float64Array, g: Float64Array) => {
      let f = 0;
      for (let i = 0; i < 4; i++) {
        f += 0.5 * diag[i] * (x[i] - i) ** 2;
        g[i] = diag[i] * (x[i] - i);
      }
      return f;
    };
    const r = minimizeLbfgs(fg, [5, 5, 5, 5], { factr: 10 });
    expect(r.converged).toBe(true);
    r.x.forEach((v, i) => expect(v).toBeCloseTo(i, 4));
  });

  it("steps back from a region where the objective is not finite", () => {
    // f = x − ln x has its minimum at 1 and is undefined for x <= 0; a full step from 0.05 overshoots.
    const fg = (x: Float64Array, g: Float64Array) => {
      g[0] = 1 - 1 / x[0];
      return x[0] > 0 ? x[0] - Math.log(x[0]) : NaN;
    };
    const r = minimizeLbfgs(fg, [0.05]);
    expect(r.x[0]).toBeCloseTo(1, 4);
  });

  it("reports failure instead of returning garbage at a non-finite start", () => {
    const r = minimizeLbfgs(() => NaN, [1, 2]);
    expect(r.converged).toBe(false);
  });
});

describe("Moré–Thuente line search", () => {
  it("returns a step satisfying the strong Wolfe conditions", () => {
    // φ(t) = (t − 3)^2 along a descent direction from t = 0.
    const ls = new MoreThuente(1e-3, 0.1, 0.1, 0, 100);
    const phi = (t: number) => (t - 3) ** 2;
    const dphi = (t: number) => 2 * (t - 3);
    ls.start(0.1, phi(0), dphi(0));
    let n = 0;
    while (ls.status === "evaluate" && n++ < 30) ls.next(phi(ls.stp), dphi(ls.stp));
    expect(ls.status).toBe("converged");
    expect(phi(ls.stp)).toBeLessThanOrEqual(phi(0) + 1e-3 * ls.stp * dphi(0));
    expect(Math.abs(dphi(ls.stp))).toBeLessThanOrEqual(0.1 * Math.abs(dphi(0)));
  });
});

describe("Huber loss", () => {
  it("is quadratic inside delta, linear outside, with a continuous derivative", () => {
    expect(huber(0.5e-3, 1e-3)).toBeCloseTo(0.125e-6, 15);
    expect(huber(3e-3, 1e-3)).toBeCloseTo(1e-3 * (3e-3 - 0.5e-3), 15);
    expect(huber(-3e-3, 1e-3)).toBe(huber(3e-3, 1e-3));
    expect(huberDeriv(1e-3, 1e-3)).toBe(1e-3);
    expect(huberDeriv(5, 1e-3)).toBe(1e-3);
    expect(huberDeriv(-5, 1e-3)).toBe(-1e-3);
    expect(huber(2, Infinity)).toBe(2);
  });
});
