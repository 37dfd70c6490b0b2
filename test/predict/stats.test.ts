import { describe, expect, it } from "vitest";
import { benjaminiHochberg, pairedTTest, studentTCdf, studentTTwoSided } from "../../src/models/stats/hypothesis.js";
import { designMatrix, leastSquares, looAbsErrors } from "../../src/models/linalg/lstsq.js";
import { median, medianLooAbsErrors } from "../../src/models/linalg/median.js";

describe("paired t-test and Student t (reference values from scipy 1.10)", () => {
  it("matches scipy.stats.ttest_rel", () => {
    const a = [0.051, 0.049, 0.047, 0.052, 0.05, 0.048, 0.053, 0.049];
    const b = [0.045, 0.046, 0.044, 0.047, 0.043, 0.046, 0.048, 0.044];
    const r = pairedTTest(a, b);
    expect(r.t).toBeCloseTo(7.529940238806682, 10);
    expect(r.pValue).toBeCloseTo(0.00013389394407252412, 12);
    expect(r.df).toBe(7);
  });
  it("t CDF and tiny two-sided p-values", () => {
    expect(studentTCdf(-2.5, 7)).toBeCloseTo(0.020496109292876437, 12);
    expect(studentTCdf(1.3, 3.5)).toBeCloseTo(0.863702292097815, 12);
    const p = studentTTwoSided(12, 49);
    expect(Math.abs(p - 3.3808104947974004e-16) / 3.38e-16).toBeLessThan(1e-6);
    expect(studentTCdf(0, 10)).toBeCloseTo(0.5, 15);
  });
  it("Benjamini-Hochberg keeps input order and monotonicity", () => {
    const adj = benjaminiHochberg([0.01, 0.04, 0.03, 0.005, 0.2, 0.5]);
    const ref = [0.03, 0.06, 0.06, 0.03, 0.24, 0.5];
    ref.forEach((v, i) => expect(adj[i]).toBeCloseTo(v, 12));
    expect(Number.isNaN(benjaminiHochberg([NaN, 0.1])[0])).toBe(true);
  });
});

describe("least squares", () => {
  it("recovers exact coefficients and leave-one-out errors equal refits", () => {
    const x1 = [1, 2, 3, 4, 5, 6, 7, 8];
    const x2 = [2, 1, 4, 3, 6, 5, 8, 9];
    const noise = [0.1, -0.2, 0.05, 0.0, -0.1, 0.2, -0.05, 0.03];
    const y = x1.map((v, i) => 1.5 + 0.3 * v - 0.7 * x2[i] + noise[i]);
    const { X, n, p } = designMatrix([x1, x2]);
    const fit = leastSquares(X, n, p, y);
    const exact = leastSquares(X, n, p, x1.map((v, i) => 1.5 + 0.3 * v - 0.7 * x2[i]));
    expect(Array.from(exact.coef)).toEqual([expect.closeTo(1.5, 10), expect.closeTo(0.3, 10), expect.closeTo(-0.7, 10)]);
    const loo = looAbsErrors(fit);
    for (let i = 0; i < n; i++) {
      const keep = [...Array(n).keys()].filter((k) => k !== i);
      const d = designMatrix([keep.map((k) => x1[k]), keep.map((k) => x2[k])]);
      const f = leastSquares(d.X, d.n, d.p, keep.map((k) => y[k]));
      const pred = f.coef[0] + f.coef[1] * x1[i] + f.coef[2] * x2[i];
      expect(loo[i]).toBeCloseTo(Math.abs(y[i] - pred), 10);
    }
  });
  it("rejects a rank-deficient design", () => {
    const { X, n, p } = designMatrix([[1, 2, 3, 4], [2, 4, 6, 8]]);
    expect(() => leastSquares(X, n, p, [1, 2, 3, 4])).toThrow(/linearly dependent/);
  });
  it("median and leave-one-out median", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(Array.from(medianLooAbsErrors([1, 2, 10]))).toEqual([5, 3.5, 8.5]);
  });
});
