/**
 * Issue 12 item 5: reusing --out. A rerun where every shard is done reuses the preparation
 * (sample, model, threshold) kept in the output instead of sampling and fitting again; a rerun
 * over a changed corpus removes the outputs and markers of shards that are no longer inputs,
 * saying so in one line, so stats.json and selected/ agree.
 */
import { describe, expect, it } from "vitest";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { decompress } from "../helpers/zstd.js";
import { LocalExecutor } from "../../src/exec/local.js";
import { ROOT, runCli } from "../helpers/cli.js";
import { makeCorpus } from "./fixtures/corpus.js";
import { registerTestKinds } from "./fixtures/kinds.js";
import { tmp } from "./files.js";

registerTestKinds();

/** Lines of every selected shard, whatever its compression. */
function selectedLines(out: string): number {
  let n = 0;
  for (const e of readdirSync(path.join(out, "selected"), { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    let bytes = readFileSync(path.join(e.parentPath, e.name));
    if (e.name.endsWith(".gz")) bytes = gunzipSync(bytes);
    else if (e.name.endsWith(".zst")) bytes = Buffer.from(decompress(bytes));
    n += bytes.toString("utf8").split("\n").filter(Boolean).length;
  }
  return n;
}

describe("executor: shards that are no longer inputs", () => {
  it("removes their outputs and markers, with one line", async () => {
    const input = tmp("dt-stale-in-");
    const { tasks } = makeCorpus(input, { shards: 4, docs: 10 });
    const out = tmp("dt-stale-out-");
    const exec = new LocalExecutor({ workers: 1 });
    const spec = { kind: "filter-length", inputRoot: input, outDir: out, params: { minChars: 0 } };
    try {
      await exec.run(spec, tasks);
      expect(existsSync(path.join(out, "selected/part/00003.jsonl"))).toBe(true);
      // a run-level folder that happens to hold a file named like a shard is not a shard output
      mkdirSync(path.join(out, "model/part"), { recursive: true });
      writeFileSync(path.join(out, "model/part/00003.jsonl"), "kept\n");
      const lines: string[] = [];
      const again = await exec.run(spec, tasks.slice(0, 2), { log: (m) => lines.push(m) });
      expect(again.every((r) => r.skipped)).toBe(true);
      expect(lines).toEqual(["removed the outputs of 2 shard(s) that are no longer inputs: part/00002.jsonl, part/00003.jsonl"]);
      for (const f of ["selected/part/00002.jsonl", "selected/part/00003.jsonl", "completions/done/part/00002.jsonl.json", "completions/done/part/00003.jsonl.json"]) {
        expect(existsSync(path.join(out, f)), f).toBe(false);
      }
      expect(existsSync(path.join(out, "selected/part/00001.jsonl"))).toBe(true);
      expect(readFileSync(path.join(out, "model/part/00003.jsonl"), "utf8")).toBe("kept\n");
    } finally {
      await exec.close();
    }
  });
});

describe("select: reusing --out", () => {
  it("reuses model/ when every shard is done, and drops the shards of a smaller corpus", async () => {
    const work = tmp("dt-rerun-");
    const corpus = path.join(work, "corpus");
    cpSync(path.join(ROOT, "data/demo/corpus"), corpus, { recursive: true });
    const out = path.join(work, "out");
    const args = ["select", "--target", path.join(ROOT, "data/demo/targets"), "--corpus", corpus, "--out", out, "--method", "dsir", "--keep", "0.2", "--seed", "2", "--sample", "300", "--holdout", "300", "--no-report", "--json"];
    const first = await runCli(args);
    expect(first.code, first.stderr).toBe(0);
    const weights = readFileSync(path.join(out, "model/dsir-weights.json"));

    const second = await runCli(args);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/scorer and threshold: reusing model\//);
    expect(second.stderr).not.toMatch(/fit DSIR|read \d+ docs/);
    expect(JSON.parse(second.stdout).skippedShards).toBe(9);
    expect(JSON.parse(second.stdout).kept).toBe(JSON.parse(first.stdout).kept);
    expect(readFileSync(path.join(out, "model/dsir-weights.json")).equals(weights)).toBe(true);

    rmSync(path.join(corpus, "math"), { recursive: true });
    const third = await runCli(args);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stderr).toMatch(/removed the outputs of 2 shard\(s\) that are no longer inputs: math\/math\.00000\.jsonl\.gz, math\/svamp\.00000\.jsonl\.gz/);
    expect(existsSync(path.join(out, "selected/math"))).toBe(false);
    expect(existsSync(path.join(out, "scores/math/math.00000.jsonl.gz.parquet"))).toBe(false);
    const s = JSON.parse(third.stdout);
    expect(s.shards).toBe(7);
    expect(selectedLines(out)).toBe(s.kept);
    expect(JSON.parse(readFileSync(path.join(out, "stats.json"), "utf8")).totals.kept).toBe(s.kept);
  }, 180_000);
});
