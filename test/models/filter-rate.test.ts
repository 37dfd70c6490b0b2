import { describe, expect, it } from "vitest";
import { optimalFilterRate } from "../../src/models/laws/filter-rate.js";

describe("BETR optimal filter rate", () => {
  it("follows 4e-5 C^0.25 percent for Nemotron-CC", () => {
    // C = 1e20: 4e-5 * 1e5 = 4 %
    const r = optimalFilterRate(1e20, "nemotron-cc");
    expect(r.percent).toBeCloseTo(4, 10);
    expect(r.fraction).toBeCloseTo(0.04, 12);
    expect(r.clamped).toBe(false);
  });
  it("follows 6e-3 C^0.14 percent for DCLM-RW", () => {
    const c = 1e21;
    expect(optimalFilterRate(c, "dclm-rw").percent).toBeCloseTo(6e-3 * Math.pow(1e21, 0.14), 10);
    // 6e-3 * 1e21^0.14 = 6e-3 * 10^2.94 ≈ 5.2258 %
    expect(optimalFilterRate(c, "dclm-rw").percent).toBeCloseTo(5.2258, 3);
  });
  it("clamps to 100 percent and rejects non-positive compute", () => {
    const r = optimalFilterRate(1e40, "nemotron-cc");
    expect(r.percent).toBe(100);
    expect(r.clamped).toBe(true);
    expect(() => optimalFilterRate(0)).toThrow(/positive/);
    expect(() => optimalFilterRate(-1)).toThrow(/positive/);
  });
});
