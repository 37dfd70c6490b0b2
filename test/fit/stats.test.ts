import { describe, expect, it } from "vitest";
import { Rng } from "../../src/models/stats/rng.js";
import { quantiles, percentileInterval } from "../../src/models/stats/quantile.js";
import { resampleWeights } from "../../src/models/stats/bootstrap.js";

describe("Rng (xoshiro128**)", () => {
  it("is deterministic per seed and differs across seeds", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextU32())).not.toEqual(sa);
  });

  it("draws uniform integers and doubles with the right moments", () => {
    const r = new Rng(7);
    const counts = new Array(10).fill(0);
    let sum = 0;
    let sumN = 0;
    let sumN2 = 0;
    let lo = 1;
    let hi = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      counts[r.int(10)]++;
      const u = r.uniform();
      if (u < lo) lo = u;
      if (u > hi) hi = u;
      sum += u;
      const z = r.normal();
      sumN += z;
      sumN2 += z * z;
    }
    for (const c of counts) expect(Math.abs(c - n / 10)).toBeLessThan(5 * Math.sqrt(n / 10));
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(sumN / n).toBeCloseTo(0, 1);
    expect(sumN2 / n).toBeCloseTo(1, 1);
  });
});

describe("quantiles", () => {
  it("interpolates like numpy.quantile (type 7)", () => {
    // numpy.quantile([1, 2, 3, 4, 10], [0.1, 0.5, 0.9]) = [1.4, 3, 7.6]
    const q = quantiles([10, 2, 4, 1, 3], [0.1, 0.5, 0.9]);
    expect(q[0]).toBeCloseTo(1.4, 12);
    expect(q[1]).toBe(3);
    expect(q[2]).toBeCloseTo(7.6, 12);
    expect(percentileInterval([1, 2, 3], 0.5)).toEqual([1.5, 2.5]);
  });
});

describe("bootstrap weights", () => {
  it("draw exactly n points with replacement", () => {
    const w = resampleWeights(new Rng(1), new Float64Array(50));
    expect(w.reduce((a, b) => a + b, 0)).toBe(50);
    expect(w.some((v) => v === 0)).toBe(true); // ~37% of points are left out
  });
});
