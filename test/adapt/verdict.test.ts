/** Verdict thresholds (defaults and sweep calibration) and the sweep's correlations, by hand. */
import { describe, expect, it } from "vitest";
import { calibrateThresholds, DEFAULT_THRESHOLDS, riskOf } from "../../src/models/adapt/verdict.js";
import { fitLine, pearson } from "../../src/models/adapt/correlation.js";
import { mmdPermutationTest } from "../../src/models/distance/permutation.js";
import { gaussianMmd2 } from "../../src/models/distance/mmd.js";

describe("verdict", () => {
  it("defaults: coverage ≥ 0.30 high, ≥ 0.10 medium", () => {
    const d = (coverage: number) => ({ coverage, mmd2: 0, frechet: 0, klDomainToReference: 0 });
    expect(riskOf(d(0.45))).toBe("high");
    expect(riskOf(d(0.3))).toBe("high");
    expect(riskOf(d(0.2))).toBe("medium");
    expect(riskOf(d(0.05))).toBe("low");
    expect(DEFAULT_THRESHOLDS.source).toBe("default");
  });

  it("calibration picks the metric that tracks Δperplexity and puts the high boundary where the line crosses 0", () => {
    // Δppl = 0.2 − 1.0·mmd2 exactly; coverage unrelated noise
    const mmd = [0.05, 0.1, 0.2, 0.3, 0.4];
    const pts = mmd.map((m, i) => ({ distances: { coverage: [0.3, 0.1, 0.4, 0.2, 0.35][i], mmd2: m, frechet: [1, 3, 2, 5, 4][i], klDomainToReference: [2, 1, 3, 1, 2][i] }, deltaPerplexity: 0.2 - m }));
    const t = calibrateThresholds(pts)!;
    expect(t.source).toBe("calibrated");
    expect(t.metric).toBe("mmd2");
    expect(t.direction).toBe("below");
    expect(t.high).toBeCloseTo(0.2, 12);
    expect(t.medium).toBeCloseTo(0.2, 12); // zero residuals: medium band is empty
    expect(riskOf(pts[0].distances, t)).toBe("high");
    expect(riskOf(pts[4].distances, t)).toBe("low");
    expect(calibrateThresholds(pts.slice(0, 2))).toBeUndefined();
  });

  it("line fit and correlations match hand values", () => {
    const x = [1, 2, 3, 4];
    const y = [2, 4, 5, 9];
    const f = fitLine(x, y);
    // slope = Sxy/Sxx = (−1.5·−3 + −0.5·−1 + 0.5·0 + 1.5·4) / 5 = 11/5
    expect(f.slope).toBeCloseTo(2.2, 12);
    expect(f.intercept).toBeCloseTo(5 - 2.2 * 2.5, 12);
    expect(pearson(x, y)).toBeCloseTo(11 / Math.sqrt(5 * 26), 12);
    expect(f.spearman).toBeCloseTo(1, 12);
  });
});

describe("permutation test", () => {
  const grid = (n: number, shift: number) => {
    const data = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      data[2 * i] = Math.sin(i * 1.7) + shift;
      data[2 * i + 1] = Math.cos(i * 0.9);
    }
    return { data, n, dim: 2 };
  };
  it("is seeded, its observed statistic is the MMD², and it separates a shift", () => {
    const x = grid(40, 0);
    const y = grid(50, 0.8);
    const a = mmdPermutationTest(x, y, 1, 199, 3);
    const b = mmdPermutationTest(x, y, 1, 199, 3);
    expect(a).toEqual(b);
    expect(a.observed).toBeCloseTo(gaussianMmd2(x, y, 1).mmd2, 12);
    expect(a.pValue).toBe(1 / 200);
    const same = mmdPermutationTest(grid(40, 0), grid(41, 0), 1, 199, 3);
    expect(same.pValue).toBeGreaterThan(0.05);
  });
});
