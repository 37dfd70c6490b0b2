import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BadInputLog, buildRunStats, mergeBadInput, mergeStats, readStats, StepCounter, TimeStats, writeStats } from "../../src/io/index.js";
import { tempDir } from "./helpers.js";

const t = tempDir();
afterAll(() => t.cleanup());

describe("stats.json", () => {
  it("TimeStats merge equals adding all samples to one", () => {
    const xs = [0.5, 1.25, 3, 0.125, 2, 7.5, 0.75];
    const all = new TimeStats();
    xs.forEach((x) => all.add(x));
    const a = new TimeStats();
    const b = new TimeStats();
    xs.slice(0, 3).forEach((x) => a.add(x));
    xs.slice(3).forEach((x) => b.add(x));
    const merged = TimeStats.fromJSON(a.toJSON()).merge(b).toJSON();
    const ref = all.toJSON();
    for (const k of Object.keys(ref) as Array<keyof typeof ref>) expect(merged[k]).toBeCloseTo(ref[k], 12);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(ref.variance).toBeCloseTo(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length, 12);
    expect(ref).toMatchObject({ n: 7, min: 0.125, max: 7.5, total: 15.125 });
  });

  it("steps in datatrove's shape; reconciliation per shard and in total", async () => {
    const step = new StepCounter("score");
    step.forward(3);
    step.drop("below_threshold", 2);
    step.time.add(1.5);
    const bad = new BadInputLog();
    bad.add("b.jsonl", 4, "invalid_json", "Unexpected token");
    const stats = buildRunStats(
      [step],
      [
        { shard: "b.jsonl", read: 3, kept: 1, dropped: 1, rejected: 1 },
        { shard: "a.jsonl", read: 3, kept: 2, dropped: 1, rejected: 0 },
      ],
      bad.toJSON(),
    );
    expect(stats.steps[0]).toEqual({
      name: "score",
      time_stats: { total: 1.5, n: 1, mean: 1.5, variance: 0, std_dev: 0, min: 1.5, max: 1.5 },
      stats: { total: 5, forwarded: 3, dropped: 2, dropped_below_threshold: 2 },
    });
    expect(stats.shards.map((s) => s.shard)).toEqual(["a.jsonl", "b.jsonl"]);
    expect(stats.totals).toEqual({ read: 6, kept: 3, dropped: 2, rejected: 1 });
    expect(stats.reconciled).toBe(true);
    const p = path.join(t.dir, "out", "stats.json");
    await writeStats(p, stats);
    expect(await readStats(p)).toEqual(stats);
    expect(readFileSync(p, "utf8").endsWith("\n")).toBe(true);

    const broken = buildRunStats([], [{ shard: "c", read: 5, kept: 1, dropped: 1, rejected: 1 }], bad.toJSON());
    expect(broken.reconciled).toBe(false);
    expect(broken.unreconciled).toEqual(["c"]);
  });

  it("mergeStats combines ranks; a retried shard counts once; merge order does not matter", () => {
    const mk = (shards: Array<[string, number, number, number, number]>, examples: Array<[string, number]>) => {
      const s = new StepCounter("score");
      const bad = new BadInputLog();
      for (const [f, l] of examples) bad.add(f, l, "missing_text");
      for (const [, , k, d] of shards) {
        s.forward(k);
        s.drop("low", d);
      }
      s.time.add(shards.length);
      return buildRunStats([s], shards.map(([shard, read, kept, dropped, rejected]) => ({ shard, read, kept, dropped, rejected })), bad.toJSON());
    };
    const r0 = mk([["s0", 10, 4, 6, 0], ["s2", 5, 1, 3, 1]], [["s2", 7]]);
    const r1 = mk([["s1", 8, 2, 4, 2]], [["s1", 3], ["s1", 1]]);
    const m = mergeStats([r0, r1]);
    expect(mergeStats([r1, r0])).toEqual(m);
    expect(m.totals).toEqual({ read: 23, kept: 7, dropped: 13, rejected: 3 });
    expect(m.reconciled).toBe(true);
    expect(m.steps[0]!.stats).toEqual({ total: 20, forwarded: 7, dropped: 13, dropped_low: 13 });
    expect(m.steps[0]!.time_stats.n).toBe(2);
    expect(m.bad_input.total).toBe(3);
    expect(m.bad_input.examples.map((e) => `${e.file}:${e.line}`)).toEqual(["s1:1", "s1:3", "s2:7"]);
    expect(mergeStats([r0, r0]).totals).toEqual(r0.totals);
  });

  it("BadInputLog: counts stay complete beyond the example cap; summaries merge", () => {
    const log = new BadInputLog({ maxExamples: 2 });
    for (let i = 1; i <= 5; i++) log.add("f.jsonl", i, i % 2 ? "invalid_json" : "missing_text");
    log.add("g.jsonl", 0, "empty_file");
    expect(log.total).toBe(6);
    expect(log.examples()).toHaveLength(2);
    expect(log.byReason()).toEqual({ empty_file: 1, invalid_json: 3, missing_text: 2 });
    expect(Object.fromEntries(log.byFile())).toEqual({ "f.jsonl": 5, "g.jsonl": 1 });
    const merged = mergeBadInput([log.toJSON(), log.toJSON()], 3);
    expect(merged.total).toBe(12);
    expect(merged.byFile).toEqual({ "f.jsonl": 10, "g.jsonl": 2 });
    expect(merged.examples).toHaveLength(3);
  });
});
