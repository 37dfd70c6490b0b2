import { beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import os from "node:os";
import path from "node:path";
import { decompress } from "../helpers/zstd.js";
import { readParquetColumns } from "../../src/io/parquet-read.js";
import { runCli } from "../helpers/cli.js";
import { buildCorpus, pileDocs, snapshot } from "./fixture.js";

let corpus: string;
let targets: string;
let work: string;
const MATH = "DM Mathematics";

function lines(file: string): string[] {
  let buf: Buffer = readFileSync(file);
  if (file.endsWith(".gz")) buf = gunzipSync(buf);
  if (file.endsWith(".zst")) buf = decompress(buf);
  return buf.toString("utf8").split("\n").filter(Boolean);
}

beforeAll(() => {
  corpus = buildCorpus();
  work = mkdtempSync(path.join(os.tmpdir(), "dt-select-dsir-"));
  // Targets: math docs the corpus does not contain (rows 400+ of the toy Pile).
  targets = path.join(work, "math-targets.jsonl");
  const t = pileDocs().slice(400).filter((d) => d.metadata.domain === MATH);
  writeFileSync(targets, t.map((d) => JSON.stringify({ text: d.text })).join("\n") + "\n");
});

const args = (out: string, extra: string[] = []) => ["select", "--method", "dsir", "--target", targets, "--corpus", corpus, "--out", out, "--keep", "0.1", "--sample", "200", "--holdout", "200", "--seed", "3", "--json", ...extra];

describe("select --method dsir end to end", () => {
  let out1: string;
  let summary: Record<string, unknown>;

  beforeAll(async () => {
    out1 = path.join(work, "w1");
    const r = await runCli(args(out1, ["--workers", "1"]));
    if (r.code !== 0) throw new Error(r.stderr);
    summary = JSON.parse(r.stdout) as Record<string, unknown>;
  });

  it("reconciles read = kept + dropped + rejected per shard and in total, and logs the bad line", () => {
    const stats = JSON.parse(readFileSync(path.join(out1, "stats.json"), "utf8")) as {
      shards: Array<{ shard: string; read: number; kept: number; dropped: number; rejected: number }>;
      totals: { read: number; kept: number; dropped: number; rejected: number };
      reconciled: boolean;
      bad_input: { total: number; examples: Array<{ file: string; line: number; reason: string }> };
      steps: Array<{ name: string; stats: Record<string, number> }>;
    };
    expect(stats.reconciled).toBe(true);
    expect(stats.shards.map((s) => s.shard)).toEqual(["a.jsonl", "d.parquet", "sub/b.jsonl.gz", "sub/c.jsonl.zst"]);
    for (const s of stats.shards) expect(s.read).toBe(s.kept + s.dropped + s.rejected);
    expect(stats.totals).toEqual({ read: 401, kept: summary.kept, dropped: summary.dropped, rejected: 1 });
    expect(stats.bad_input.examples[0]).toMatchObject({ file: "a.jsonl", line: 71, reason: "invalid_json" });
    expect(stats.steps.map((s) => s.name).join(" ")).toMatch(/select-score \(dsir\)/);
    const score = stats.steps.find((s) => s.name.includes("select-score"))!.stats;
    expect(score.total).toBe(400);
    expect(score.forwarded + score.dropped).toBe(400);
    expect(score.dropped_too_short + score.dropped_below_threshold).toBe(score.dropped);
  });

  it("writes kept docs in the input's format and layout, byte for byte, and a score row per doc", async () => {
    const kept = { a: lines(path.join(out1, "selected/a.jsonl")), b: lines(path.join(out1, "selected/sub/b.jsonl.gz")), c: lines(path.join(out1, "selected/sub/c.jsonl.zst")) };
    const inputs = { a: lines(path.join(corpus, "a.jsonl")), b: lines(path.join(corpus, "sub/b.jsonl.gz")), c: lines(path.join(corpus, "sub/c.jsonl.zst")) };
    for (const k of ["a", "b", "c"] as const) for (const l of kept[k]) expect(inputs[k]).toContain(l);
    const parquetKept = await readParquetColumns(path.join(out1, "selected/d.parquet"));
    expect(Object.keys(parquetKept).sort()).toEqual(["domain", "id", "text"]);
    let total = kept.a.length + kept.b.length + kept.c.length + parquetKept.id.length;
    expect(total).toBe(summary.kept);
    total = 0;
    for (const shard of ["a.jsonl", "sub/b.jsonl.gz", "sub/c.jsonl.zst", "d.parquet"]) {
      const s = await readParquetColumns(path.join(out1, "scores", `${shard}.parquet`));
      expect(s.shard.every((x) => x === shard)).toBe(true);
      const k = s.kept.filter(Boolean).length;
      total += k;
      if (shard === "a.jsonl") {
        expect(s.id).toHaveLength(150);
        expect(k).toBe(kept.a.length);
        expect(s.id[0]).toBe("a.jsonl:1"); // no id field → <rel>:<line>
      }
      if (shard === "d.parquet") expect(s.id[0]).toBe("pile-350");
    }
    expect(total).toBe(summary.kept);
  });

  it("moves the selection toward the target: math enriched, KL reduced, token share near the request", () => {
    const all = [...lines(path.join(out1, "selected/a.jsonl")), ...lines(path.join(out1, "selected/sub/b.jsonl.gz")), ...lines(path.join(out1, "selected/sub/c.jsonl.zst"))];
    const math = all.filter((l) => (JSON.parse(l) as { metadata: { domain: string } }).metadata.domain === MATH).length;
    expect(math / all.length).toBeGreaterThan(0.4); // base rate in the corpus is ~5%
    const kl = summary.kl as { reduction: number };
    expect(kl.reduction).toBeGreaterThan(0);
    const keep = summary.keep as { achievedTokenFraction: number; requested: number };
    expect(keep.requested).toBe(0.1);
    expect(keep.achievedTokenFraction).toBeGreaterThan(0.05);
    expect(keep.achievedTokenFraction).toBeLessThan(0.2);
    expect(readFileSync(path.join(out1, "report.html"), "utf8")).toContain("DSIR");
  });

  it("gives identical outputs with --workers 2, and resumes a deleted shard to identical bytes", async () => {
    const out2 = path.join(work, "w2");
    const r2 = await runCli(args(out2, ["--workers", "2"]));
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).not.toMatch(/sample: reusing/);
    const dirs = ["selected", "scores", "model"];
    const a = snapshot(out1, dirs);
    const b = snapshot(out2, dirs);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [k, v] of a) expect(b.get(k)!.equals(v), k).toBe(true);

    // An interrupted run: one shard's outputs and completion marker are gone.
    const out3 = path.join(work, "w3");
    cpSync(out1, out3, { recursive: true });
    for (const f of ["selected/sub/b.jsonl.gz", "scores/sub/b.jsonl.gz.parquet", "completions/done/sub/b.jsonl.gz.json"]) rmSync(path.join(out3, f));
    const r3 = await runCli(args(out3, ["--workers", "2"]));
    expect(r3.code, r3.stderr).toBe(0);
    // the corpus is not read again for the sample: it was kept by the first run
    expect(r3.stderr).toMatch(/sample: reusing/);
    expect((JSON.parse(r3.stdout) as { skippedShards: number }).skippedShards).toBe(3);
    const c = snapshot(out3, dirs);
    expect([...c.keys()]).toEqual([...a.keys()]);
    for (const [k, v] of a) expect(c.get(k)!.equals(v), k).toBe(true);

    // a kept sample that is damaged, or one drawn with other options, is not used
    const out4 = path.join(work, "w4");
    cpSync(out1, out4, { recursive: true });
    writeFileSync(path.join(out4, "model/sample.jsonl.gz"), "not gzip");
    const r4 = await runCli(args(out4, ["--workers", "2"]));
    expect(r4.code, r4.stderr).toBe(0);
    expect(r4.stderr).not.toMatch(/sample: reusing/);
    const d = snapshot(out4, dirs);
    for (const [k, v] of a) expect(d.get(k)!.equals(v), k).toBe(true);
    const r5 = await runCli(args(out4, ["--workers", "2", "--holdout", "150"]));
    expect(r5.code, r5.stderr).toBe(0);
    expect(r5.stderr).not.toMatch(/sample: reusing/);
  });

  it("--strict fails with exit 3 naming the file and line", async () => {
    const r = await runCli(args(path.join(work, "strict"), ["--strict"]));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/a\.jsonl.*line 71/);
    expect(r.stdout).toBe("");
  });

  it("--compute reports the law it used; usage errors exit 2", async () => {
    // One shard is enough here: only the keep plan is under test.
    const r = await runCli(["select", "--method", "dsir", "--target", targets, "--corpus", path.join(corpus, "a.jsonl"), "--out", path.join(work, "compute"), "--compute", "1e21", "--pool", "nemotron-cc", "--json", "--workers", "1"]);
    expect(r.code, r.stderr).toBe(0);
    const keep = (JSON.parse(r.stdout) as { keep: { source: string; requested: number; compute: { formula: string; percent: number } } }).keep;
    expect(keep.source).toBe("compute");
    expect(keep.compute.formula).toBe("4e-5 * C^0.25 %");
    expect(keep.requested).toBeCloseTo(4e-5 * Math.pow(1e21, 0.25) / 100, 6);
    expect(r.stderr).toMatch(/nemotron-cc filter-rate law/);
    const bad = await runCli(["select", "--corpus", corpus, "--out", path.join(work, "x"), "--method", "dsir"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--target is required/);
  });
});
