import { describe, expect, it } from "vitest";
import { absoluteThreshold, keeps, KEEP_NONE, thresholdForFraction } from "../../src/pipelines/select/threshold.js";
import { planKeep } from "../../src/pipelines/select/keep.js";

const f64 = (a: number[]) => Float64Array.from(a);

describe("threshold by fraction", () => {
  it("keeps the smallest top prefix holding the requested share of tokens", () => {
    // scores 5,4,3,2,1 with tokens 10,20,30,40,0 → total 100; 30% → first two docs (30 tokens)
    const s = f64([3, 5, 1, 4, 2]);
    const w = f64([30, 10, 0, 20, 40]);
    const ties = f64([0.1, 0.2, 0.3, 0.4, 0.5]);
    const r = thresholdForFraction(s, ties, w, 0.3);
    expect(r.threshold.score).toBe(4);
    expect(r.keptDocs).toBe(2);
    expect(r.achieved).toBeCloseTo(0.3, 12);
    const kept = Array.from(s, (x, i) => keeps(r.threshold, x, ties[i]));
    expect(kept).toEqual([false, true, false, true, false]);
    // 31% needs the third doc
    expect(thresholdForFraction(s, ties, w, 0.31).threshold.score).toBe(3);
  });

  it("keep-by docs: exactly k of n docs, ties split by the seeded tie key", () => {
    const s = f64([1, 1, 1, 1, 0]);
    const ties = f64([0.9, 0.1, 0.5, 0.3, 0.0]);
    const r = thresholdForFraction(s, ties, f64([1, 1, 1, 1, 1]), 0.4);
    expect(r.keptDocs).toBe(2);
    const kept = Array.from(s, (x, i) => keeps(r.threshold, x, ties[i]));
    expect(kept).toEqual([false, true, false, true, false]);
    // permuting the input gives the same decisions per doc
    const perm = [4, 2, 0, 3, 1];
    const r2 = thresholdForFraction(f64(perm.map((i) => s[i])), f64(perm.map((i) => ties[i])), f64([1, 1, 1, 1, 1]), 0.4);
    expect(r2.threshold).toEqual(r.threshold);
  });

  it("never keeps masked docs; they still count in the total", () => {
    const s = f64([-Infinity, 2, 1]);
    const ties = f64([0, 0, 0]);
    const r = thresholdForFraction(s, ties, f64([50, 25, 25]), 0.9);
    expect(keeps(r.threshold, -Infinity, 0)).toBe(false);
    expect(r.achieved).toBeCloseTo(0.5, 12);
    expect(thresholdForFraction(f64([-Infinity]), ties, f64([5]), 0.5).threshold).toEqual(KEEP_NONE);
    expect(thresholdForFraction(s, ties, f64([50, 25, 25]), 1).keptDocs).toBe(2);
  });

  it("absolute thresholds keep score >= T; bad fractions are rejected", () => {
    const t = absoluteThreshold(0.018112);
    expect(keeps(t, 0.018112, 0.99)).toBe(true);
    expect(keeps(t, 0.0181119, 0)).toBe(false);
    expect(() => thresholdForFraction(f64([1]), f64([0]), f64([1]), 0)).toThrow(RangeError);
    expect(() => thresholdForFraction(f64([1]), f64([0]), f64([1]), 1.5)).toThrow(RangeError);
  });
});

describe("keep plan", () => {
  it("--compute picks BETR's documented filter rate", () => {
    const p = planKeep({ compute: 1e21, pool: "nemotron-cc", method: "betr" });
    expect(p.source).toBe("compute");
    expect(p.fraction).toBeCloseTo((4e-5 * Math.pow(1e21, 0.25)) / 100, 12);
    expect(p.compute?.formula).toBe("4e-5 * C^0.25 %");
    const d = planKeep({ compute: 1e21, pool: "dclm-rw", method: "betr" });
    expect(d.fraction).toBeCloseTo((6e-3 * Math.pow(1e21, 0.14)) / 100, 12);
    const big = planKeep({ compute: 1e40, pool: "dclm-rw", method: "betr" });
    expect(big.fraction).toBe(1);
    expect(big.compute?.clamped).toBe(true);
  });

  it("defaults to 10%, names percentile keeps for classifiers, rejects conflicts", () => {
    expect(planKeep({ method: "betr" })).toEqual({ source: "keep", fraction: 0.1 });
    expect(planKeep({ keep: 0.3, method: "classifier" }).source).toBe("percentile");
    expect(planKeep({ threshold: 0.5, method: "classifier" }).absolute).toBe(0.5);
    expect(() => planKeep({ keep: 0.3, compute: 1e20, method: "betr" })).toThrow(/only one/);
    expect(() => planKeep({ keep: 0, method: "betr" })).toThrow(RangeError);
  });
});
