import { describe, expect, it } from "vitest";
import { betrScores, exampleChunks, type BetrRankOptions } from "../../src/models/betr/index.js";
import { betrScoresParallel } from "../../src/backends/betr-parallel.js";

/** Small seeded generator for test data (xorshift32). */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** Rows of unit vectors; `levels` quantises coordinates so many cosines tie exactly. */
function unitRows(count: number, dim: number, seed: number, levels = 0): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    let norm = 0;
    for (let k = 0; k < dim; k++) {
      let v = r() * 2 - 1;
      if (levels) v = Math.round(v * levels) / levels;
      out[i * dim + k] = v;
      norm += v * v;
    }
    // levels: leave unnormalised so ties survive exactly (cosine ranking is scale-invariant per example)
    if (!levels && norm > 0) for (let k = 0; k < dim; k++) out[i * dim + k]! /= Math.sqrt(norm);
  }
  return out;
}

/** Brute force straight from the definition: full sort per example, then aggregate. */
function reference(t: Float32Array, m: number, docs: Float32Array, n: number, dim: number, o: BetrRankOptions) {
  const K = o.topK === undefined || o.topK >= n ? n : o.topK;
  const val = (r: number) => (o.value === "log" ? 0 - Math.log2(r) : 1 / r);
  const bestRank = new Int32Array(n).fill(K + 1);
  const bestExample = new Int32Array(n).fill(-1);
  const sum = new Float64Array(n);
  for (let e = 0; e < m; e++) {
    const cos = new Float64Array(n);
    for (let d = 0; d < n; d++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += t[e * dim + k]! * docs[d * dim + k]!;
      cos[d] = Math.fround(s);
    }
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => cos[b]! - cos[a]! || a - b);
    const rank = new Int32Array(n);
    order.forEach((d, i) => (rank[d] = i + 1 > K ? K + 1 : i + 1));
    for (let d = 0; d < n; d++) {
      sum[d]! += val(rank[d]!);
      if (rank[d]! <= K && rank[d]! < bestRank[d]!) {
        bestRank[d] = rank[d]!;
        bestExample[d] = e;
      }
    }
  }
  const score = Array.from({ length: n }, (_, d) => (o.aggregate === "max" ? val(bestRank[d]!) : sum[d]! / m));
  return { score, bestExample: Array.from(bestExample) };
}

const OPTS: BetrRankOptions[] = [
  { aggregate: "max", value: "log" },
  { aggregate: "max", value: "inverse" },
  { aggregate: "mean", value: "log" },
  { aggregate: "mean", value: "inverse" },
  { aggregate: "max", value: "log", topK: 5 },
  { aggregate: "max", value: "log", topK: 40 },
  { aggregate: "mean", value: "inverse", topK: 7 },
];

describe("betrScores", () => {
  it("matches a brute-force reference on random unit vectors", () => {
    const dim = 24, m = 37, n = 301;
    const t = unitRows(m, dim, 1);
    const docs = unitRows(n, dim, 2);
    for (const o of OPTS) {
      const got = betrScores(t, m, docs, n, dim, o);
      const ref = reference(t, m, docs, n, dim, o);
      expect(Array.from(got.bestExample), JSON.stringify(o)).toEqual(ref.bestExample);
      for (let d = 0; d < n; d++) expect(got.score[d]).toBeCloseTo(ref.score[d]!, 12);
      if (o.aggregate === "max") expect(Array.from(got.score)).toEqual(ref.score);
    }
  });

  it("breaks ties by lower doc index (and lower example index) on heavily tied data", () => {
    const dim = 6, m = 20, n = 500;
    const t = unitRows(m, dim, 3, 1);
    const base = unitRows(n / 2, dim, 4, 1);
    // every doc appears twice: d and d + n/2 have identical vectors
    const docs = new Float32Array(n * dim);
    docs.set(base, 0);
    docs.set(base, (n / 2) * dim);
    for (const o of [OPTS[0]!, OPTS[2]!, OPTS[4]!, OPTS[5]!]) {
      const got = betrScores(t, m, docs, n, dim, o);
      const ref = reference(t, m, docs, n, dim, o);
      expect(Array.from(got.bestExample)).toEqual(ref.bestExample);
      for (let d = 0; d < n; d++) expect(got.score[d]).toBeCloseTo(ref.score[d]!, 12);
      // the earlier copy of a duplicated doc always ranks at least as high
      if (o.aggregate === "max" && o.topK === undefined) for (let d = 0; d < n / 2; d++) expect(got.score[d]!).toBeGreaterThan(got.score[d + n / 2]!);
      if (o.topK !== undefined) for (let d = 0; d < n / 2; d++) expect(got.score[d]!).toBeGreaterThanOrEqual(got.score[d + n / 2]!);
    }
  });

  it("gives a doc that is some example's nearest neighbour the top score", () => {
    const dim = 8, n = 50;
    const docs = unitRows(n, dim, 9);
    const t = docs.slice(17 * dim, 18 * dim); // the target is doc 17 itself
    const { score, bestExample } = betrScores(t, 1, docs, n, dim, { aggregate: "max", value: "log" });
    expect(score[17]).toBe(0); // log2(1/1)
    expect(bestExample[17]).toBe(0);
    const top = betrScores(t, 1, docs, n, dim, { aggregate: "max", value: "log", topK: 3 });
    expect(Array.from(top.score).filter((s) => s === -2).length).toBe(n - 3); // outside the top 3: log2(1/4)
    expect(Array.from(top.bestExample).filter((e) => e === -1).length).toBe(n - 3);
  });

  it("treats NaN cosines as the farthest and rejects mis-sized inputs", () => {
    const dim = 2;
    const docs = new Float32Array([1, 0, NaN, 0, 0, 1]);
    const t = new Float32Array([0, 1]);
    const { score } = betrScores(t, 1, docs, 3, dim, { aggregate: "max", value: "inverse" });
    expect(Array.from(score)).toEqual([1 / 2, 1 / 3, 1]);
    expect(() => betrScores(t, 2, docs, 3, dim, { aggregate: "max", value: "log" })).toThrow(/targets hold 2 floats/);
  });
});

describe("betrScoresParallel", () => {
  it("is bit-identical to the serial scores for 1, 2 and 3 workers", async () => {
    const dim = 32, m = 150, n = 2000;
    const t = unitRows(m, dim, 5);
    const docs = unitRows(n, dim, 6);
    expect(exampleChunks(m, n).length - 1).toBeGreaterThan(3);
    for (const o of [OPTS[0]!, OPTS[2]!, OPTS[6]!]) {
      const serial = betrScores(t, m, docs, n, dim, o);
      for (const workers of [1, 2, 3]) {
        const par = await betrScoresParallel(t, m, docs, n, dim, { ...o, workers });
        expect(Buffer.from(par.score.buffer).equals(Buffer.from(serial.score.buffer)), `${JSON.stringify(o)} workers=${workers}`).toBe(true);
        expect(Buffer.from(par.bestExample.buffer).equals(Buffer.from(serial.bestExample.buffer))).toBe(true);
      }
    }
  });
});
