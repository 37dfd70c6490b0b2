/**
 * The keep-rate contract: on a corpus of at least 5,000 documents the kept share — counted
 * here from the files under selected/, not from select's own summary — is within ±3% relative
 * of the request, by docs or by tokens, for BETR and DSIR, when the sample holds the whole
 * corpus and when it does not (the count pass), and with DSIR masking short documents.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { runSelect } from "../../src/pipelines/select/index.js";
import { SHARED_DATA } from "../helpers/cli.js";

interface Doc {
  id: string;
  text: string;
}

const words = (t: string) => t.split(/\s+/).filter(Boolean).length;

function jsonl(rel: string): Record<string, unknown>[] {
  return readFileSync(path.join(SHARED_DATA, rel), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** 6,400 docs of mixed length: long reviews and news, short sentences (DSIR masks those). */
function corpus(): { dir: string; docs: Doc[] } {
  const docs: Doc[] = [
    ...jsonl("corpora/nltk-corpora/movie_reviews.jsonl").slice(0, 1400).map((r, i) => ({ id: `rev-${i}`, text: String(r.text) })),
    ...jsonl("corpora/nltk-corpora/abc_news_blocks.jsonl").slice(0, 1500).map((r, i) => ({ id: `news-${i}`, text: String(r.text) })),
    ...jsonl("corpora/nltk-corpora/sentence_polarity.jsonl").slice(0, 3500).map((r, i) => ({ id: `sent-${i}`, text: String(r.text) })),
  ];
  const dir = mkdtempSync(path.join(os.tmpdir(), "dt-keep-"));
  const body = (part: Doc[]) => part.map((d) => JSON.stringify(d)).join("\n") + "\n";
  // interleave so every shard mixes kinds
  const shards: Doc[][] = [[], [], []];
  docs.forEach((d, i) => shards[i % 3]!.push(d));
  writeFileSync(path.join(dir, "a.jsonl"), body(shards[0]!));
  writeFileSync(path.join(dir, "b.jsonl"), body(shards[1]!));
  writeFileSync(path.join(dir, "c.jsonl.gz"), gzipSync(body(shards[2]!)));
  return { dir, docs };
}

function targets(): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "dt-keep-t-")), "news-questions.jsonl");
  const items = jsonl("benchmarks/mmlu.validation.jsonl").filter((r) => ["high_school_macroeconomics", "us_foreign_policy", "high_school_government_and_politics"].includes(String(r.subject)));
  writeFileSync(file, items.map((r) => JSON.stringify({ text: `${r.question}\n${(r.choices as string[])[r.answer as number]}` })).join("\n") + "\n");
  return file;
}

/** Docs and whitespace tokens under selected/, read from the files. */
function keptCounts(out: string): { docs: number; tokens: number } {
  let docs = 0;
  let tokens = 0;
  const dir = path.join(out, "selected");
  for (const f of readdirSync(dir)) {
    const raw = readFileSync(path.join(dir, f));
    const text = (f.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
    for (const l of text.split("\n").filter(Boolean)) {
      docs++;
      tokens += words((JSON.parse(l) as Doc).text);
    }
  }
  return { docs, tokens };
}

describe("keep-rate contract (±3% relative on ≥ 5,000 docs)", () => {
  const { dir, docs } = corpus();
  const target = targets();
  const totalTokens = docs.reduce((a, d) => a + words(d.text), 0);
  const cases = [
    { name: "BETR, 5% of docs, sample holds the corpus", method: "betr", keep: 0.05, keepBy: "docs" },
    { name: "BETR, 20% of tokens, count pass (sample 1500 + holdout 800)", method: "betr", keep: 0.2, keepBy: "tokens", sample: 1500, holdout: 800 },
    { name: "DSIR, 10% of tokens, short docs masked", method: "dsir", keep: 0.1, keepBy: "tokens" },
    { name: "DSIR, 30% of docs, count pass, masked docs", method: "dsir", keep: 0.3, keepBy: "docs", sample: 1000, holdout: 600, minTokens: 0 },
    { name: "BETR, 2% of docs, count pass", method: "betr", keep: 0.02, keepBy: "docs", sample: 2000, holdout: 1000 },
  ] as const;
  for (const c of cases) {
    it(c.name, async () => {
      expect(docs.length).toBeGreaterThanOrEqual(5000);
      const out = mkdtempSync(path.join(os.tmpdir(), "dt-keep-out-"));
      const res = await runSelect({ target: [target], corpus: [dir], out, keep: c.keep, keepBy: c.keepBy, method: c.method, seed: 3, report: false, workers: 2, ...("sample" in c ? { sample: c.sample, holdout: c.holdout } : {}), ...("minTokens" in c ? { minTokens: c.minTokens } : {}) });
      const kept = keptCounts(out);
      const achieved = c.keepBy === "docs" ? kept.docs / docs.length : kept.tokens / totalTokens;
      expect(Math.abs(achieved / c.keep - 1)).toBeLessThanOrEqual(0.03);
      expect(res.summary.kept).toBe(kept.docs);
      expect(res.summary.warnings.filter((w) => w.startsWith("kept "))).toEqual([]);
    }, 240_000);
  }

  it("says so, with the numbers, when the request cannot be met (DSIR masks too much)", async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), "dt-keep-out-"));
    // 90% of docs asked, but the 3,500 short sentences are masked (< 100 tokens)
    const res = await runSelect({ target: [target], corpus: [dir], out, keep: 0.9, keepBy: "docs", method: "dsir", seed: 3, report: false, workers: 2 });
    expect(res.summary.masked).toBeGreaterThan(3000);
    const w = res.summary.warnings.find((x) => x.startsWith("kept "));
    expect(w).toMatch(/where 90\.00% was asked/);
    expect(w).toMatch(/masked/);
  }, 240_000);
});
