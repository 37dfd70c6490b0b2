/**
 * lm query against KenLM's own query outputs on the reference models (made by KenLM's
 * query; ../shared/data/lm/kenlm-shakespeare/SOURCE.txt): the same bytes per line, per word
 * and in the summary; and a model trained here scores the test text as KenLM's model does.
 */
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, SHARED_DATA } from "../helpers/cli.js";

const REF = path.join(SHARED_DATA, "lm/kenlm-shakespeare");
const TEST = path.join(REF, "test.txt");
const gz = (f: string) => gunzipSync(readFileSync(path.join(REF, f))).toString("utf8");
const dir = mkdtempSync(path.join(tmpdir(), "dt-ngram-query-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("lm query prints what KenLM's query prints", () => {
  for (const order of [3, 5]) {
    it(`order ${order}: -v sentence, byte for byte`, async () => {
      const r = await runCli(["lm", "query", "-v", "sentence", path.join(REF, `shakespeare.o${order}.arpa.gz`), TEST]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(gz(`shakespeare.o${order}.query-sentence.txt.gz`));
    });

    it(`order ${order}: the summary (perplexity including and excluding OOVs), byte for byte`, async () => {
      const r = await runCli(["lm", "query", "-v", "summary", path.join(REF, `shakespeare.o${order}.arpa.gz`)], { input: readFileSync(TEST, "utf8") });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(readFileSync(path.join(REF, `shakespeare.o${order}.query-summary.txt`), "utf8"));
    });
  }

  it("default output: per word word=<id> <order> <log10 p>, then Total per line (first 200 lines)", async () => {
    const r = await runCli(["lm", "query", path.join(REF, "shakespeare.o3.arpa.gz"), TEST]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.slice(0, 200).join("\n") + "\n").toBe(gz("shakespeare.o3.query-word.first200.txt.gz"));
    expect(lines.slice(-5).join("\n")).toBe(readFileSync(path.join(REF, "shakespeare.o3.query-summary.txt"), "utf8"));
  });

  it("--json: one document with the same perplexities", async () => {
    const r = await runCli(["lm", "query", "--json", path.join(REF, "shakespeare.o3.arpa.gz"), TEST]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const ref = readFileSync(path.join(REF, "shakespeare.o3.query-summary.txt"), "utf8");
    expect(doc.perplexity).toBe(Number(/including OOVs:\t(\S+)/.exec(ref)![1]));
    expect(doc.perplexityExcludingOov).toBe(Number(/excluding OOVs:\t(\S+)/.exec(ref)![1]));
    expect(doc.oov).toBe(2205);
    expect(doc.tokens).toBe(21863);
    expect(doc.order).toBe(3);
  });

  it("a model trained by lm train scores the test text as lmplz's model does", async () => {
    const arpa = path.join(dir, "o3.arpa");
    const t = await runCli(["lm", "train", "-o", "3", "--text", path.join(REF, "train.txt"), "--output", arpa, "--json"]);
    expect(t.code).toBe(0);
    expect(JSON.parse(t.stdout).ngrams).toEqual([23969, 109828, 156000]);
    const r = await runCli(["lm", "query", "-v", "sentence", arpa, TEST]);
    const ours = r.stdout.trimEnd().split("\n");
    const ref = gz("shakespeare.o3.query-sentence.txt.gz").trimEnd().split("\n");
    expect(ours.length).toBe(ref.length);
    let worst = 0;
    for (let i = 0; i < ref.length; i++) {
      const a = /^Total: (\S+) OOV: (\d+)$/.exec(ref[i])!;
      const b = /^Total: (\S+) OOV: (\d+)$/.exec(ours[i])!;
      expect(b[2]).toBe(a[2]);
      worst = Math.max(worst, Math.abs(Number(a[1]) - Number(b[1])));
    }
    expect(worst).toBeLessThan(1e-3);
  });

  it("-n (no <s> context, no </s>): the output KenLM's query -n printed for the same line", async () => {
    const r = await runCli(["lm", "query", "-n", path.join(REF, "shakespeare.o3.arpa.gz")], { input: "What is your crest?\n" });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "What=74 1 -3.3121748\tis=31 2 -1.6772239\tyour=284 3 -1.2982597\tcrest?=0 1 -5.34677\tTotal: -11.634428 OOV: 1\n" +
        "Perplexity including OOVs:\t810.2275495313773\nPerplexity excluding OOVs:\t124.70563310266289\nOOVs:\t1\nTokens:\t4\n",
    );
  });

  it("a last line without a newline is scored without </s> and no Total, as KenLM does", async () => {
    const r = await runCli(["lm", "query", path.join(REF, "shakespeare.o3.arpa.gz")], { input: "What is your crest?\nWhat is" });
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/<\/s>=2 \d -\S+\tTotal: \S+ OOV: 1$/);
    expect(lines[1]).toMatch(/^What=74 2 -2.0127826\tis=31 3 -0.89948285\tPerplexity including OOVs:/);
    expect(r.stdout).toMatch(/Tokens:\t7\n$/);
  });
});
