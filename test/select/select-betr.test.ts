import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readParquetColumns } from "../../src/io/parquet-read.js";
import { runCli, SHARED_DATA } from "../helpers/cli.js";
import { buildCorpus, snapshot } from "./fixture.js";

let corpus: string;
let work: string;
let targets: string;

beforeAll(() => {
  corpus = buildCorpus();
  work = mkdtempSync(path.join(os.tmpdir(), "dt-select-betr-"));
  // 150 GSM8K training problems, in GSM8K's own shape (question/answer).
  const gsm = readFileSync(path.join(SHARED_DATA, "benchmarks/gsm8k.train.jsonl"), "utf8").split("\n").filter(Boolean).slice(0, 150);
  targets = path.join(work, "gsm8k.train.jsonl");
  writeFileSync(targets, gsm.join("\n") + "\n");
});

const args = (out: string, workers: string) => ["select", "--target", targets, "--corpus", corpus, "--out", out, "--keep", "0.1", "--keep-by", "docs", "--sample", "250", "--holdout", "150", "--seed", "5", "--workers", workers, "--json"];

describe("select (BETR) end to end", () => {
  it("selects math for math targets, records benchmarks, and is identical for 1 and 2 workers", async () => {
    const out1 = path.join(work, "w1");
    const r1 = await runCli(args(out1, "1"));
    expect(r1.code, r1.stderr).toBe(0);
    const s = JSON.parse(r1.stdout) as { kept: number; read: number; reconciled: boolean; keptByBenchmark: Record<string, number>; keep: { achievedDocFraction: number }; model: string };
    expect(s.reconciled).toBe(true);
    expect(s.read).toBe(401);
    // sample 250 + holdout 150 hold all 400 readable docs: the threshold is set on every doc, 10% exactly
    expect(s.kept).toBe(40);
    expect(s.model).toBe(path.join(out1, "model/betr-linear.bin"));

    // Domain labels were never shown to the selection; DM Mathematics is ~5% of the corpus.
    let kept = 0;
    for (const shard of ["a.jsonl", "d.parquet", "sub/b.jsonl.gz", "sub/c.jsonl.zst"]) {
      const sc = await readParquetColumns(path.join(out1, "scores", `${shard}.parquet`));
      kept += sc.kept.filter(Boolean).length;
    }
    expect(kept).toBe(s.kept);
    const a = readFileSync(path.join(out1, "selected/a.jsonl"), "utf8").split("\n").filter(Boolean);
    const math = a.filter((l) => (JSON.parse(l) as { metadata: { domain: string } }).metadata.domain === "DM Mathematics").length;
    expect(a.length).toBeGreaterThan(0);
    expect(math / a.length).toBeGreaterThan(0.2);

    // Every doc that shares a content word with a target example names its nearest one:
    // benchmark and row in the target file; kept docs all do.
    const sa = await readParquetColumns(path.join(out1, "scores/a.jsonl.parquet"));
    const withBench = sa.benchmark.filter((b) => b !== null && b !== undefined);
    expect(withBench.length).toBeGreaterThan(sa.benchmark.length * 0.8);
    expect(new Set(withBench)).toEqual(new Set(["gsm8k"]));
    const targetRows = readFileSync(targets, "utf8").split("\n").filter(Boolean).length;
    sa.kept.forEach((k, i) => {
      if (!k) return;
      expect(sa.benchmark[i]).toBe("gsm8k");
      expect(Number(sa.example[i])).toBeGreaterThanOrEqual(0);
      expect(Number(sa.example[i])).toBeLessThan(targetRows);
    });
    expect(Object.keys(s.keptByBenchmark)).toEqual(["gsm8k"]);
    expect(readFileSync(path.join(out1, "report.html"), "utf8")).toContain("gsm8k");

    const out2 = path.join(work, "w2");
    const r2 = await runCli(args(out2, "2"));
    expect(r2.code, r2.stderr).toBe(0);
    const dirs = ["selected", "scores", "model"];
    const x = snapshot(out1, dirs);
    const y = snapshot(out2, dirs);
    expect([...y.keys()]).toEqual([...x.keys()]);
    for (const [k, v] of x) expect(y.get(k)!.equals(v), k).toBe(true);
  });
});
