import { describe, expect, it } from "vitest";
import { dsirLogDiff, dsirLogWeight, gumbelFromUniform, gumbelTopK, klDivergence, klReduction, normalizeCounts } from "../../src/models/dsir/index.js";
import { uniform01Int } from "../../src/text/hash.js";

describe("DSIR importance weights", () => {
  it("log diff is log(p_t+1e-8) - log(p_r+1e-8)", () => {
    const t = Float64Array.from([3, 1, 0, 0]);
    const r = Float64Array.from([1, 1, 1, 1]);
    const d = dsirLogDiff(t, r);
    expect(d[0]).toBeCloseTo(Math.log(0.75 + 1e-8) - Math.log(0.25 + 1e-8), 12);
    expect(d[2]).toBeCloseTo(Math.log(1e-8) - Math.log(0.25 + 1e-8), 12);
  });

  it("a document's weight is counts · logDiff, masked under 100 tokens", () => {
    const d = Float64Array.from([0.5, -1, 2]);
    const ids = Int32Array.from([0, 0, 2, 1]);
    expect(dsirLogWeight(ids, 4, 150, d)).toBeCloseTo(0.5 + 0.5 + 2 - 1, 12);
    expect(dsirLogWeight(ids, 3, 150, d)).toBeCloseTo(3, 12);
    expect(dsirLogWeight(ids, 4, 99, d)).toBe(-Infinity);
    expect(dsirLogWeight(ids, 4, 5, d, 0)).toBeCloseTo(2, 12);
  });

  it("Gumbel top-1 samples proportionally to exp(log weight)", () => {
    const w = Float64Array.from([Math.log(1), Math.log(2), Math.log(7), -Infinity]);
    const hits = [0, 0, 0, 0];
    const trials = 20000;
    const noise = new Float64Array(4);
    for (let t = 0; t < trials; t++) {
      for (let i = 0; i < 4; i++) noise[i] = gumbelFromUniform(uniform01Int(3, t * 4 + i));
      hits[gumbelTopK(w, noise, 1)[0]]++;
    }
    expect(hits[3]).toBe(0);
    expect(hits[0] / trials).toBeCloseTo(0.1, 1);
    expect(hits[1] / trials).toBeCloseTo(0.2, 1);
    expect(hits[2] / trials).toBeCloseTo(0.7, 1);
  });

  it("Gumbel top-k is deterministic and never picks masked docs", () => {
    const w = Float64Array.from([1, -Infinity, 0, 2]);
    const noise = new Float64Array(4);
    expect(Array.from(gumbelTopK(w, noise, 10))).toEqual([3, 0, 2]);
  });
});

describe("KL reduction", () => {
  it("KL of identical distributions is 0 and matches a hand value", () => {
    const p = normalizeCounts(Float64Array.from([1, 1]));
    expect(klDivergence(p, p)).toBeCloseTo(0, 12);
    const q = Float64Array.from([0.9, 0.1]);
    expect(klDivergence(p, q)).toBeCloseTo(0.5 * Math.log(0.5 / 0.9) + 0.5 * Math.log(0.5 / 0.1), 6);
  });

  it("is positive when the selection is nearer the target, negative when farther", () => {
    const target = Float64Array.from([10, 10, 0, 0]);
    const raw = Float64Array.from([5, 5, 5, 5]);
    const near = Float64Array.from([9, 9, 1, 1]);
    const far = Float64Array.from([1, 1, 9, 9]);
    const r = klReduction([target], raw, near);
    expect(r.reduction).toBeGreaterThan(0);
    expect(r.rawKL).toBeCloseTo(Math.log(2), 6);
    expect(klReduction([target], raw, far).reduction).toBeLessThan(0);
    const two = klReduction([target, Float64Array.from([0, 0, 1, 1])], raw, near);
    expect(two.perTarget).toHaveLength(2);
    expect(two.reduction).toBeCloseTo((two.perTarget[0].rawKL - two.perTarget[0].selectedKL + two.perTarget[1].rawKL - two.perTarget[1].selectedKL) / 2, 12);
  });
});
