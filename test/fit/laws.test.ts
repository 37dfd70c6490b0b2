import { describe, expect, it } from "vitest";
import { Rng } from "../../src/models/stats/rng.js";
import { LAWS, resolveLaw } from "../../src/models/laws/registry.js";
import { fitLaw } from "../../src/models/laws/fit.js";
import { validateData, LawDataError } from "../../src/models/laws/validate.js";
import { optimalAllocation } from "../../src/models/laws/allocation.js";
import type { Law } from "../../src/models/laws/types.js";

/** y = law(params, x) · (1 + noise·z) at the given points, seeded. */
function synth(law: Law, params: Record<string, number>, xs: number[][], noise: number, seed: number) {
  const rng = new Rng(seed);
  const x = law.inputs.map((_, j) => Float64Array.from(xs.map((p) => p[j])));
  const y = Float64Array.from(xs.map((p) => law.predict(params, p) * (1 + noise * rng.normal())));
  return { x, y };
}

function logspace(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.pow(10, lo + ((hi - lo) * i) / (n - 1)));
}

function expectRecovered(got: Record<string, number>, want: Record<string, number>, rel: number) {
  for (const [k, v] of Object.entries(want)) {
    expect(Math.abs(got[k] - v) / Math.abs(v), `${k}: got ${got[k]}, want ${v}`).toBeLessThan(rel);
  }
}

describe("parameter recovery on synthetic data (seeded noise)", () => {
  it("power: y = E + A/x^alpha", () => {
    const want = { E: 1.7, A: 400, alpha: 0.3 };
    const data = synth(LAWS.power, want, logspace(7, 11, 30).map((x) => [x]), 0.002, 1);
    const fit = fitLaw(LAWS.power, data);
    expect(fit.converged).toBe(true);
    expectRecovered(fit.params, want, 0.1);
  });

  it("chinchilla: L = E + A/N^alpha + B/D^beta", () => {
    const want = { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 };
    const pts: number[][] = [];
    for (const N of logspace(7.5, 10.5, 8)) for (const D of logspace(9, 12, 8)) pts.push([N, D]);
    const data = synth(LAWS.chinchilla, want, pts, 0.003, 2);
    // A coarse slice of Hoffmann's grid keeps the test fast; the full grid is exercised on real data.
    const starts = LAWS.chinchilla.starts(data).filter((s) => s[0] % 10 === 5 && s[1] % 10 === 5);
    const fit = fitLaw(LAWS.chinchilla, data, { starts });
    expectRecovered(fit.params, { alpha: 0.34, beta: 0.28, E: 1.69 }, 0.08);
    expectRecovered(fit.params, { A: 406.4, B: 410.7 }, 0.5);
  });

  it("loglaw: y = (log(A x^alpha))^beta", () => {
    const want = { A: 0.5, alpha: 0.2, beta: 1.5 };
    const data = synth(LAWS.loglaw, want, logspace(8, 12, 25).map((x) => [x]), 0.002, 3);
    const fit = fitLaw(LAWS.loglaw, data);
    expectRecovered(fit.params, { alpha: 0.2, beta: 1.5 }, 0.1);
    // A enters through ln A next to alpha·ln x ≈ 4.6, so it is identified in log terms.
    expect(Math.abs(Math.log(fit.params.A) - Math.log(want.A))).toBeLessThan(0.15);
  });

  it("sigmoid: accuracy from loss", () => {
    const want = { c: 0.25, d: 0.1, k: 6, x0: 2.8 };
    const xs = Array.from({ length: 40 }, (_, i) => [2 + (i * 1.6) / 39]);
    const rng = new Rng(4);
    const x = [Float64Array.from(xs.map((p) => p[0]))];
    const y = Float64Array.from(xs.map((p) => LAWS.sigmoid.predict(want, p) + 0.005 * rng.normal()));
    const fit = fitLaw(LAWS.sigmoid, { x, y });
    expectRecovered(fit.params, want, 0.1);
  });

  it("linear and loglinear match ordinary least squares", () => {
    const xs = [1, 2, 3, 4, 5];
    const data = { x: [Float64Array.from(xs)], y: Float64Array.from([2.1, 3.9, 6.2, 7.8, 10.1]) };
    const fit = fitLaw(LAWS.linear, data);
    // OLS: b = 1.99, a = 0.05 (computed by hand from the normal equations).
    expect(fit.params.b).toBeCloseTo(1.99, 6);
    expect(fit.params.a).toBeCloseTo(0.05, 6);
    const want = { a: 0.3, b: -0.05 };
    const ll = synth(LAWS.loglinear, want, logspace(6, 10, 20).map((x) => [x]), 0.001, 5);
    expectRecovered(fitLaw(LAWS.loglinear, ll).params, want, 0.05);
  });

  it("a user formula with two inputs", () => {
    const law = resolveLaw("E + A/N^alpha + B/D^beta", ["N", "D"]);
    expect(law.params).toEqual(["E", "A", "alpha", "B", "beta"]);
    const truth = { E: 2, A: 50, alpha: 0.5, B: 20, beta: 0.4 };
    const pts: number[][] = [];
    for (const N of logspace(2, 5, 7)) for (const D of logspace(2, 5, 7)) pts.push([N, D]);
    const data = synth(law, truth, pts, 0.001, 6);
    const fit = fitLaw(law, data, { starts: [Float64Array.from([1, 10, 0.3, 10, 0.3])] });
    expectRecovered(fit.params, truth, 0.1);
  });
});

describe("data validation", () => {
  const law = LAWS.power;
  it("names the point and column for NaN, non-positive x under a log, and too few points", () => {
    const ok = Float64Array.from([1, 2, 3, 4, 5]);
    const y = Float64Array.from([3, 2.5, 2.2, 2.1, 2]);
    expect(() => validateData(law, { x: [Float64Array.from([1, 2, NaN, 4, 5])], y }, { x: ["tokens"], y: "loss" })).toThrow(/tokens is missing or NaN/);
    try {
      validateData(law, { x: [Float64Array.from([1, 2, 0, 4, 5])], y }, { x: ["tokens"], y: "loss" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LawDataError);
      expect((e as LawDataError).row).toBe(2);
      expect((e as LawDataError).message).toMatch(/tokens = 0 .*logarithm/);
    }
    expect(() => validateData(law, { x: [ok.slice(0, 3)], y: y.slice(0, 3) })).toThrow(/too few points.*needs at least 4 points, got 3/);
    expect(() => validateData(law, { x: [ok], y: Float64Array.from([3, 2, -1, 2, 2]) }, { y: "loss" })).toThrow(/loss = -1/);
  });
});

describe("compute-optimal allocation", () => {
  it("puts the budget on the C = 6ND frontier at the minimum loss", () => {
    const p = { E: 1.8172, A: 477.8, B: 2143.9, alpha: 0.3473, beta: 0.3672 };
    const C = 5.76e23; // Chinchilla's budget
    const a = optimalAllocation(p, C);
    expect(6 * a.N * a.D).toBeCloseTo(C, -18);
    // Any other split of the same budget has a higher loss.
    for (const f of [0.5, 0.9, 1.1, 2]) {
      const N = a.N * f;
      const D = C / (6 * N);
      expect(p.E + p.A / N ** p.alpha + p.B / D ** p.beta).toBeGreaterThan(a.loss);
    }
    // Epoch's fit implies roughly 20 tokens per parameter near Chinchilla's budget.
    expect(a.tokensPerParam).toBeGreaterThan(15);
    expect(a.tokensPerParam).toBeLessThan(40);
  });
});

describe("Chinchilla's fused objective", () => {
  it("equals the generic evaluate-then-Huber path, value and gradient, with weights", async () => {
    const { LawObjective } = await import("../../src/models/laws/fit.js");
    const generic = { ...LAWS.chinchilla, huberObjective: undefined };
    const rng = new Rng(11);
    const pts: number[][] = [];
    for (const N of logspace(7, 10, 5)) for (const D of logspace(9, 12, 5)) pts.push([N, D]);
    const data = synth(LAWS.chinchilla, { E: 1.7, A: 400, B: 400, alpha: 0.34, beta: 0.28 }, pts, 0.01, 12);
    for (const delta of [1e-3, Infinity]) {
      const a = new LawObjective(LAWS.chinchilla, data, delta);
      const b = new LawObjective(generic, data, delta);
      const w = Float64Array.from(pts, () => rng.int(3));
      a.weights = w;
      b.weights = w;
      for (const theta of [Float64Array.from([6, 6, 0.5, 0.34, 0.28]), Float64Array.from([2, 20, -1, 0.1, 1.5])]) {
        const ga = new Float64Array(5);
        const gb = new Float64Array(5);
        expect(a.fg(theta, ga)).toBeCloseTo(b.fg(theta, gb), 12);
        ga.forEach((v, j) => expect(v).toBeCloseTo(gb[j], 10));
      }
    }
  });
});
