import { afterAll, describe, expect, it } from "vitest";
import { readdirSync, readFileSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { RankExecutor, resolveRankWorld, tasksForRank } from "../../src/exec/rank.js";
import { registerTestKinds } from "./fixtures/kinds.js";
import { runCli } from "../helpers/cli.js";
import { mergeShards } from "../../src/exec/merge.js";
import { expectedKept, makeCorpus } from "./fixtures/corpus.js";
import { tmp } from "./files.js";

registerTestKinds();

const open: RankExecutor[] = [];
afterAll(async () => {
  for (const e of open) await e.close();
});

describe("rank/world resolution", () => {
  it("reads flags, then Slurm, then Kubernetes", () => {
    expect(resolveRankWorld({ rank: 1, world: 4 }, {})).toEqual({ rank: 1, world: 4, source: "flags" });
    expect(resolveRankWorld({}, { SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_COUNT: "4" })).toEqual({ rank: 3, world: 4, source: "slurm" });
    // `sbatch --array=1-4` numbers tasks from 1.
    expect(resolveRankWorld({}, { SLURM_ARRAY_TASK_ID: "4", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "4" })).toEqual({ rank: 3, world: 4, source: "slurm" });
    expect(resolveRankWorld({}, { JOB_COMPLETION_INDEX: "2", DATATAILOR_WORLD: "8" })).toEqual({ rank: 2, world: 8, source: "kubernetes" });
    expect(resolveRankWorld({ world: 3 }, { JOB_COMPLETION_INDEX: "0" })).toEqual({ rank: 0, world: 3, source: "kubernetes" });
  });

  it("rejects missing or out-of-range values with a usage error", () => {
    expect(() => resolveRankWorld({}, {})).toThrow(/needs --rank/);
    expect(() => resolveRankWorld({}, { JOB_COMPLETION_INDEX: "1" })).toThrow(/needs --world/);
    expect(() => resolveRankWorld({ rank: 2, world: 2 }, {})).toThrow(/\[0, 1\], got 2/);
    expect(() => resolveRankWorld({}, { SLURM_ARRAY_TASK_ID: "x", SLURM_ARRAY_TASK_COUNT: "2" })).toThrow(/must be an integer/);
  });

  it("splits shards by index mod world", () => {
    const tasks = Array.from({ length: 7 }, (_, index) => ({ index, shard: `s${index}` }));
    expect(tasksForRank(tasks, 0, 3).map((t) => t.index)).toEqual([0, 3, 6]);
    expect(tasksForRank(tasks, 2, 3).map((t) => t.index)).toEqual([2, 5]);
  });
});

describe("rank executor + merge", () => {
  it("two array tasks of world 2 cover every shard once, a relaunch skips, merge reports missing shards then merges", async () => {
    const input = tmp("dt-rank-in-");
    const { shards, tasks } = makeCorpus(input, { shards: 7, docs: 20, bad: true });
    const out = tmp("dt-rank-out-");
    const spec = { kind: "filter-length", inputRoot: input, outDir: out, params: { minChars: 30, maxChars: 170 } };
    const r0 = new RankExecutor({ rank: 0, world: 2, source: "flags" }, 2);
    const r1 = new RankExecutor({ rank: 1, world: 2, source: "flags" }, 1);
    open.push(r0, r1);

    const first = await r0.run(spec, tasks);
    expect(first.map((r) => r.index)).toEqual([0, 2, 4, 6]);

    // Rank 1 has not run: merge names its shards and writes nothing.
    const partial = await mergeShards(out);
    expect(partial.missing.map((t) => t.shard)).toEqual(["part/00001.jsonl", "part/00003.jsonl", "part/00005.jsonl"]);
    expect(partial.stats).toBeUndefined();
    expect(existsSync(path.join(out, "stats.json"))).toBe(false);
    const partialCli = await runCli(["merge", "--out", out, "--json"]);
    expect(partialCli.code).toBe(1);
    expect(partialCli.stderr).toMatch(/3 of 7 shards not done: part\/00001\.jsonl, part\/00003\.jsonl, part\/00005\.jsonl/);
    expect(JSON.parse(partialCli.stdout).missing).toEqual(["part/00001.jsonl", "part/00003.jsonl", "part/00005.jsonl"]);

    const second = await r1.run(spec, tasks);
    expect(second.map((r) => r.index)).toEqual([1, 3, 5]);
    const relaunch = await r0.run(spec, tasks);
    expect(relaunch.every((r) => r.skipped)).toBe(true);

    for (const s of shards) {
      const got = readFileSync(path.join(out, "selected", s.rel), "utf8").split("\n").filter(Boolean);
      expect(got).toEqual(expectedKept(s.lines, 30, 170));
    }
    // A dead writer's temporary is swept by merge.
    mkdirSync(path.join(out, "selected/part"), { recursive: true });
    writeFileSync(path.join(out, "selected/part/.00001.jsonl.tmp-4242-0123abcd"), "partial");

    const merged = await runCli(["merge", "--out", out, "--json"]);
    expect(merged.code, merged.stderr).toBe(0);
    const summary = JSON.parse(merged.stdout);
    expect(summary.ok).toBe(true);
    expect(summary.done).toBe(7);
    expect(summary.totals.read).toBe(7 * 22);
    const stats = JSON.parse(readFileSync(path.join(out, "stats.json"), "utf8"));
    expect(stats.totals.read).toBe(7 * 22);
    expect(stats.totals.rejected).toBe(7 * 2);
    expect(stats.totals.read).toBe(stats.totals.kept + stats.totals.dropped + stats.totals.rejected);
    expect(stats.reconciled).toBe(true);
    expect(stats.shards).toHaveLength(7);
    expect(stats.steps[0].name).toBe("filter-length");
    expect(stats.steps[0].stats.forwarded).toBe(stats.totals.kept);
    expect(readdirSync(path.join(out, "selected/part")).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("merge fails clearly on a directory without a sharded run", async () => {
    const r = await runCli(["merge", "--out", tmp("dt-rank-empty-")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^datatailor: .*no completions\/manifest\.json/);
  });
});
