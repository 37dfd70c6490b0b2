/**
 * The all-pairs passes on worker threads equal the single-threaded ones bit for bit (median
 * bandwidth by two-pass selection, MMD², nearest-neighbour distances), and the two-pass median
 * equals the stored-and-sorted one.
 */
import { describe, expect, it } from "vitest";
import { pairPasses } from "../../src/pipelines/adapt/pairs-pool.js";
import { medianPairwiseDistance } from "../../src/models/distance/bandwidth.js";
import { concatRows, type VectorSet } from "../../src/models/distance/vectors.js";
import { Rng } from "../../src/models/stats/rng.js";

function sample(n: number, dim: number, seed: number, shift = 0): VectorSet {
  const r = new Rng(seed);
  const data = new Float64Array(n * dim);
  for (let i = 0; i < data.length; i++) data[i] = r.uniform() + shift;
  return { data, n, dim };
}

describe("all-pairs passes", () => {
  it("threads give the single-threaded result exactly", async () => {
    // 4,100 pooled vectors: 8.4 M pairs, above the stored-median limit, so the threads run the two-pass median too
    const x = sample(2000, 3, 1, 0.1);
    const y = sample(2100, 3, 2);
    const pooled = concatRows(x, y);
    const one = await pairPasses(x, y, pooled, undefined, 1);
    const two = await pairPasses(x, y, pooled, undefined, 2);
    expect(two.sigma).toBe(one.sigma);
    expect(two.mmd.mmd2).toBe(one.mmd.mmd2);
    expect(Array.from(two.mmd.nnDomainToReference)).toEqual(Array.from(one.mmd.nnDomainToReference));
    expect(Array.from(two.mmd.nnReferenceToReference)).toEqual(Array.from(one.mmd.nnReferenceToReference));
  });

  it("the two-pass median equals the sorted one, odd and even pair counts, ties", () => {
    for (const [n, dim] of [[2, 3], [3, 3], [300, 7], [301, 7], [500, 64]]) {
      const s = sample(n, dim, n);
      expect(medianPairwiseDistance(s, { maxStoredPairs: 0 })).toBe(medianPairwiseDistance(s));
    }
    const ties: VectorSet = { data: Float64Array.from({ length: 200 * 4 }, (_, i) => Math.floor(i / 4) % 3), n: 200, dim: 4 };
    expect(medianPairwiseDistance(ties, { maxStoredPairs: 0 })).toBe(medianPairwiseDistance(ties));
  });
});
