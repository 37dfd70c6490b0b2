import { describe, expect, it, beforeAll } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BadInputLog } from "../../src/io/bad-input.js";
import { discoverShards } from "../../src/io/shards.js";
import { sampleCorpus } from "../../src/pipelines/select/sample.js";
import { balancedTrainingSet, betrLabels } from "../../src/pipelines/select/betr.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "dt-sample-"));
  for (const name of ["a", "b", "c"]) {
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ text: `${name} doc ${i} ${"w ".repeat(i)}` }));
    writeFileSync(path.join(dir, `${name}.jsonl`), lines.join("\n") + "\n");
  }
});

describe("seeded corpus sample", () => {
  it("is the same whatever the shard order, and differs by seed", async () => {
    const { shards } = await discoverShards([dir]);
    const opts = { sample: 20, holdout: 30, seed: 7, bad: new BadInputLog() };
    const a = await sampleCorpus(shards, opts);
    const b = await sampleCorpus([...shards].reverse(), { ...opts, bad: new BadInputLog() });
    expect(b.train.map((d) => `${d.shard}:${d.line}`)).toEqual(a.train.map((d) => `${d.shard}:${d.line}`));
    expect(b.holdout.map((d) => d.id)).toEqual(a.holdout.map((d) => d.id));
    expect(a.train).toHaveLength(20);
    expect(a.holdout).toHaveLength(30);
    expect(a.docs).toBe(150);
    const ids = new Set([...a.train, ...a.holdout].map((d) => d.id));
    expect(ids.size).toBe(50); // disjoint
    const c = await sampleCorpus(shards, { ...opts, seed: 8, bad: new BadInputLog() });
    expect(c.train.map((d) => d.id)).not.toEqual(a.train.map((d) => d.id));
    // roughly uniform across shards
    const per = new Map<string, number>();
    for (const d of [...a.train, ...a.holdout]) per.set(d.shard, (per.get(d.shard) ?? 0) + 1);
    for (const n of per.values()) expect(n).toBeGreaterThan(5);
  });

  it("splits a small corpus between sample and holdout in proportion", async () => {
    const { shards } = await discoverShards([dir]);
    const s = await sampleCorpus(shards, { sample: 1000, holdout: 1000, seed: 1, bad: new BadInputLog() });
    expect(s.train.length + s.holdout.length).toBe(150);
    expect(s.train.length).toBe(75);
    const t = await sampleCorpus(shards, { sample: 1000, holdout: 0, seed: 1, bad: new BadInputLog() });
    expect(t.train.length).toBe(150);
  });
});

describe("BETR labels", () => {
  it("top 10% positive, balanced and seeded training set", () => {
    const score = Float64Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
    const labels = betrLabels(score);
    expect(labels.reduce((a, b) => a + b, 0)).toBe(10);
    for (let i = 0; i < 100; i++) expect(labels[i] === 1).toBe(score[i] >= 90);
    const set = balancedTrainingSet(labels, 3);
    expect(set).toHaveLength(20);
    expect(set.filter((i) => labels[i]).length).toBe(10);
    expect(balancedTrainingSet(labels, 3)).toEqual(set);
    expect(balancedTrainingSet(labels, 4)).not.toEqual(set);
  });
});
