import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createEmbedder, DEFAULT_EMBEDDER, LocalEmbedder } from "../../src/backends/embed/index.js";
import { countFeatures, SparseCounts } from "../../src/backends/embed/features.js";
import { orthonormaliseColumns } from "../../src/models/linalg/cholqr.js";
import { betrScores } from "../../src/models/betr/index.js";
import { SHARED_DATA } from "../helpers/cli.js";

function dot(a: Float32Array, i: number, j: number, dim: number): number {
  let s = 0;
  for (let k = 0; k < dim; k++) s += a[i * dim + k]! * a[j * dim + k]!;
  return s;
}

const pile = readFileSync(path.join(SHARED_DATA, "corpora/pile-toy-dsir/toy_pile_data.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as { contents: string; metadata: { pile_set_name: string } });

describe("hashed features", () => {
  it("lower-cases, ignores punctuation and counts unigrams and bigrams", () => {
    const a = new SparseCounts();
    const b = new SparseCounts();
    countFeatures("The cat, the CAT!", a);
    countFeatures("the cat the cat", b);
    const dump = (c: SparseCounts) => Array.from(c.ids.subarray(0, c.size), (id) => [id, c.count[id]]).sort((x, y) => x[0]! - y[0]!);
    expect(dump(a)).toEqual(dump(b));
    // the, cat (×2 each) and bigrams "the cat" (×2), "cat the" (×1)
    expect(a.size).toBe(4);
    expect(Array.from(a.ids.subarray(0, a.size), (id) => a.count[id]).sort()).toEqual([1, 2, 2, 2]);
    countFeatures("Ünïcode ÉTÉ", a);
    countFeatures("ünïcode été", b);
    expect(dump(a)).toEqual(dump(b));
  });
});

describe("orthonormaliseColumns", () => {
  it("returns orthonormal columns and zeroes dependent ones", () => {
    const rows = 50, l = 4;
    const y = new Float64Array(rows * l);
    for (let r = 0; r < rows; r++) {
      y[r * l] = Math.sin(r + 1);
      y[r * l + 1] = Math.cos(r * 3);
      y[r * l + 2] = 2 * y[r * l]! - y[r * l + 1]!; // dependent
      y[r * l + 3] = ((r * 7) % 5) - 2;
    }
    expect(orthonormaliseColumns(y, rows, l)).toBe(3);
    const col = (j: number) => Array.from({ length: rows }, (_, r) => y[r * l + j]!);
    const d = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
    for (const i of [0, 1, 3]) for (const j of [0, 1, 3]) expect(d(col(i), col(j))).toBeCloseTo(i === j ? 1 : 0, 10);
    expect(col(2).every((x) => x === 0)).toBe(true);
  });
});

describe("built-in embedders", () => {
  const texts = pile.slice(0, 150).map((r) => r.contents);

  it("default is lsa:128: unit rows, deterministic for a seed, id tied to the fit sample", async () => {
    expect(DEFAULT_EMBEDDER).toBe("lsa:128");
    const a = await createEmbedder(undefined, { seed: 3 });
    expect(a.dim).toBe(128);
    await expect(a.embed(["x"])).rejects.toThrow(/call fit/);
    await a.fit!(texts);
    const va = await a.embed(texts.slice(0, 50));
    for (let i = 0; i < 50; i++) expect(dot(va, i, i, 128)).toBeCloseTo(1, 5);
    const b = await createEmbedder("lsa", { seed: 3 });
    await b.fit!(texts);
    expect(b.id).toBe(a.id);
    expect(Buffer.from((await b.embed(texts.slice(0, 50))).buffer).equals(Buffer.from(va.buffer))).toBe(true);
    const c = await createEmbedder("lsa", { seed: 3 });
    await c.fit!(texts.slice(1));
    expect(c.id).not.toBe(a.id);
    expect(a.id).toMatch(/^lsa:128:[0-9a-f]{16}$/);
  });

  it("an empty text embeds as a zero row", async () => {
    const e = new LocalEmbedder("tfidf", 64, 0);
    const v = await e.embed(["", "word"]);
    expect(Array.from(v.subarray(0, 64)).every((x) => x === 0)).toBe(true);
    expect(dot(v, 1, 1, 64)).toBeCloseTo(1, 6);
  });

  it("puts docs of the same Pile domain nearest each other (every kind beats chance)", async () => {
    const docs = pile.map((r) => r.contents);
    const labels = pile.map((r) => r.metadata.pile_set_name);
    for (const spec of ["lsa:64", "tfidf:1024", "hash:512"]) {
      const e = await createEmbedder(spec, { seed: 1 });
      await e.fit?.(docs);
      const v = await e.embed(docs);
      // leave-one-out nearest neighbour accuracy: each doc as a target against all others
      let hit = 0;
      const probes = 200;
      for (let i = 0; i < probes; i++) {
        const r = betrScores(v.subarray(i * e.dim, (i + 1) * e.dim), 1, v, docs.length, e.dim, { aggregate: "max", value: "inverse", topK: 2 });
        // rank 1 is the doc itself; the rank-2 doc is its nearest other doc
        const nn = Array.from(r.score).findIndex((s, j) => s === 0.5 && j !== i);
        if (labels[nn] === labels[i]) hit++;
      }
      // the largest domain holds 20% of the docs: chance is far below these
      expect(hit / probes, spec).toBeGreaterThan(spec.startsWith("lsa") ? 0.7 : 0.5);
    }
  });

  it("rejects bad specs in one line", async () => {
    await expect(createEmbedder("tfidf:1000", { seed: 0 })).rejects.toThrow(/power of two/);
    await expect(createEmbedder("lsa:x", { seed: 0 })).rejects.toThrow(/must be an integer/);
    await expect(createEmbedder("bert", { seed: 0 })).rejects.toThrow(/unknown embedder "bert"; use one of/);
  });
});
