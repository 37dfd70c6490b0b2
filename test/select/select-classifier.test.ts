import { beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { FastText } from "../../src/backends/fasttext/index.js";
import { readParquetColumns } from "../../src/io/parquet-read.js";
import { dclmPreprocess } from "../../src/text/dclm.js";
import { runCli } from "../helpers/cli.js";
import { hasTool, requireTool } from "../helpers/system.js";
import { buildCorpus, pileDocs } from "./fixture.js";

const HQ = new Set(["PubMed Central", "PubMed Abstracts", "Wikipedia (en)", "NIH ExPorter"]);
let corpus: string;
let work: string;
let model: string;
let ft: FastText;

beforeAll(async () => {
  corpus = buildCorpus();
  work = mkdtempSync(path.join(os.tmpdir(), "dt-select-cls-"));
  model = path.join(work, "quality.bin");
  // A small quality filter trained on docs the corpus does not hold.
  const train = pileDocs()
    .slice(400)
    .map((d) => ({ labels: [HQ.has(d.metadata.domain) ? "__label__hq" : "__label__cc"], text: dclmPreprocess(d.text) }));
  ft = await FastText.train({ dim: 16, epoch: 5, minCount: 1, wordNgrams: 2, lr: 0.1, seed: 1, thread: 1, loss: "softmax", bucket: 100_000 }, train);
  await ft.saveFile(model);
});

describe("select --method classifier", () => {
  it("scores p(label) with DCLM preprocessing and keeps score >= --threshold", async () => {
    const out = path.join(work, "abs");
    const r = await runCli(["select", "--method", "classifier", "--model", model, "--label", "__label__hq", "--threshold", "0.5", "--corpus", corpus, "--out", out, "--json", "--workers", "2"]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { kept: number; keep: { source: string; threshold: number }; kl?: unknown };
    expect(s.keep.source).toBe("threshold");
    expect(s.keep.threshold).toBe(0.5);
    expect(s.kl).toBeUndefined(); // no targets given
    const scores = await readParquetColumns(path.join(out, "scores/a.jsonl.parquet"));
    const input = readFileSync(path.join(corpus, "a.jsonl"), "utf8").split("\n").filter(Boolean);
    let j = 0;
    for (let i = 0; i < input.length; i++) {
      if (i === 70) continue; // the bad line
      const text = (JSON.parse(input[i]) as { text: string }).text;
      const p = ft.probability(dclmPreprocess(text), "__label__hq");
      expect(scores.score[j]).toBe(p);
      expect(scores.kept[j]).toBe(p >= 0.5);
      j++;
    }
    expect(j).toBe(150);
  });

  it.skipIf(!requireTool("fasttext", hasTool("/usr/bin/fasttext")))("matches Debian fastText predict-prob on the same docs", async () => {
    const scores = await readParquetColumns(path.join(work, "abs/scores/a.jsonl.parquet"));
    const input = readFileSync(path.join(corpus, "a.jsonl"), "utf8").split("\n").filter(Boolean);
    const texts = input.filter((_, i) => i !== 70).map((l) => dclmPreprocess((JSON.parse(l) as { text: string }).text));
    const outText = execFileSync("/usr/bin/fasttext", ["predict-prob", model, "-", "2"], { input: texts.join("\n") + "\n", maxBuffer: 1 << 26 }).toString();
    const rows = outText.split("\n").slice(0, texts.length);
    rows.forEach((row, i) => {
      const parts = row.trim().split(/\s+/);
      const k = parts.indexOf("__label__hq");
      const peer = k >= 0 ? Number(parts[k + 1]) : 0;
      expect(Math.abs((scores.score[i] as number) - peer), `doc ${i}: ${row}`).toBeLessThan(2e-5);
    });
  });

  it("--keep by docs takes a percentile on the held-out sample; a wrong label is a clear error", async () => {
    const r = await runCli(["select", "--method", "classifier", "--model", model, "--keep", "0.3", "--keep-by", "docs", "--corpus", corpus, "--out", path.join(work, "pct"), "--json", "--holdout", "200", "--sample", "200"]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { keep: { source: string; achievedDocFraction: number } };
    expect(s.keep.source).toBe("percentile");
    expect(s.keep.achievedDocFraction).toBeGreaterThan(0.2);
    expect(s.keep.achievedDocFraction).toBeLessThan(0.4);
    const bad = await runCli(["select", "--method", "classifier", "--model", model, "--label", "__label__nope", "--corpus", corpus, "--out", path.join(work, "bad")]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/no label '__label__nope'/);
    const noModel = await runCli(["select", "--method", "classifier", "--corpus", corpus, "--out", path.join(work, "bad2")]);
    expect(noModel.code).toBe(2);
  });
});
