/**
 * The index's pre-filter: every stored n-gram passes it (so no match is ever lost to it), and it
 * rejects most absent ones (the point of it: ~8 bits per key, 4 bits set per key, where theory
 * gives ~2.4% false passes; we only require < 5%).
 */
import { describe, expect, it } from "vitest";
import { buildContamIndex } from "../../src/models/contam/build.js";
import { filterPasses } from "../../src/models/contam/index-image.js";

/** Deterministic random words (xorshift), so that every item's n-grams are distinct. */
function words(count: number, seed: number): string[] {
  let x = seed;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let w = "";
    for (let k = 0; k < 6; k++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      w += String.fromCharCode(97 + ((x >>> 0) % 26));
    }
    out.push(w);
  }
  return out;
}

describe("index filter", () => {
  it("lets every stored key through and few absent ones", () => {
    const items = Array.from({ length: 2000 }, (_, i) => words(40, i + 1).join(" "));
    const { index, stats } = buildContamIndex({ count: items.length, forEach: (fn) => items.forEach((t) => fn(t, 0)) }, { n: 13 });
    expect(stats.distinct).toBeGreaterThan(50_000);
    let stored = 0;
    for (let s = 0; s < index.cap; s++) {
      const a = index.keys[2 * s]!;
      const b = index.keys[2 * s + 1]!;
      if (a === 0 && b === 0) continue;
      stored++;
      expect(filterPasses(index, a, b)).toBe(true);
    }
    expect(stored).toBe(stats.distinct);
    // absent keys: uniformly random 64-bit values, as the n-gram hashes of unseen text are
    let x = 0x9e3779b9;
    const next = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x | 0;
    };
    let passed = 0;
    const trials = 200_000;
    for (let t = 0; t < trials; t++) if (filterPasses(index, next(), next())) passed++;
    expect(passed / trials).toBeLessThan(0.05);
    expect(passed).toBeGreaterThan(0); // it is a filter, not the table: some false passes
  });
});
