/**
 * The corpus sample as shard jobs (sample-shard.ts) equals the serial pass (sampleCorpus) to
 * the document, through the thread pool, for samples smaller and larger than the corpus; and
 * the priority cutoff always leaves at least the wanted documents below it.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { discoverShards } from "../../src/io/shards.js";
import { BadInputLog } from "../../src/io/bad-input.js";
import { LocalExecutor } from "../../src/exec/local.js";
import { sampleCorpus } from "../../src/pipelines/select/sample.js";
import { PRIORITY_BINS, priorityBin, priorityCutoff, sampleWithExecutor } from "../../src/pipelines/select/sample-shard.js";
import { uniform01Int } from "../../src/text/hash.js";
import { buildCorpus } from "./fixture.js";
import "../../src/pipelines/tasks.js";

describe("sampling as shard jobs", () => {
  const corpus = buildCorpus();
  const exec = new LocalExecutor({ workers: 2 });
  afterAll(() => exec.close());

  for (const [sample, holdout] of [
    [60, 40],
    [150, 150],
    [1000, 1000],
  ] as const) {
    it(`draws the serial pass's sample exactly (sample ${sample}, holdout ${holdout}, corpus of 400 + 1 bad line)`, async () => {
      const { root, shards } = await discoverShards([corpus]);
      const opts = { sample, holdout, seed: 7 };
      const serial = await sampleCorpus(shards, { ...opts, bad: new BadInputLog() });
      const work = mkdtempSync(path.join(os.tmpdir(), "dt-sample-"));
      const jobs = await sampleWithExecutor(exec, root, shards, work, opts);
      expect(jobs.docs).toBe(serial.docs);
      expect(jobs.tokens).toBe(serial.tokens);
      expect(jobs.rejected).toBe(serial.rejected);
      expect(jobs.rejected).toBeGreaterThan(0);
      expect(jobs.train).toEqual(serial.train);
      expect(jobs.holdout).toEqual(serial.holdout);
      expect(jobs.train.length + jobs.holdout.length).toBe(Math.min(sample + holdout, serial.docs));
    });
  }

  it("puts at least `want` priorities below the cutoff, and not many more", () => {
    const n = 200_000;
    const p = Float64Array.from({ length: n }, (_, i) => uniform01Int(3, i));
    const hist = new Float64Array(PRIORITY_BINS);
    for (const x of p) hist[priorityBin(x)]++;
    for (const want of [1, 10, 1000, 50_000, n]) {
      const c = priorityCutoff(hist, want);
      const below = p.filter((x) => x < c).length;
      expect(below).toBeGreaterThanOrEqual(want);
      if (want >= 1000 && want < n) expect(below / want).toBeLessThan(1.05);
    }
    expect(priorityCutoff(hist, n + 1)).toBe(2);
    expect(priorityBin(0)).toBe(PRIORITY_BINS - 1);
  });
});
