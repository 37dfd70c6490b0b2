/** Parts of tune eval: paired bootstrap intervals, the matrix flags, label choice rules. */
import { describe, expect, it } from "vitest";
import { pairedBootstrap } from "../../src/pipelines/tune/paired-bootstrap.js";
import { comparisonPairs } from "../../src/pipelines/tune/eval.js";
import { paperFewShot, parseModels, parseShots, parseTests } from "../../src/pipelines/tune/eval-spec.js";
import { argmax, chooseByFirstToken, textLogprob } from "../../src/pipelines/tune/eval-classify.js";
import { runEval } from "../../src/pipelines/tune/eval.js";
import type { LanguageModel } from "../../src/backends/lm/types.js";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Rng } from "../../src/models/stats/rng.js";
import { fticl, haveFticl } from "./data.js";

describe("paired bootstrap", () => {
  it("a constant difference gives a zero-width interval at that difference", () => {
    const b = Float64Array.from({ length: 50 }, (_, i) => (i % 7) / 7);
    const a = b.map((x) => x + 0.25);
    const d = pairedBootstrap(a, b, { seed: 1, resamples: 500 });
    expect(d.diff).toBeCloseTo(0.25, 12);
    expect(d.lo).toBeCloseTo(0.25, 12);
    expect(d.hi).toBeCloseTo(0.25, 12);
    expect(d.pNotBetter).toBe(0);
  });

  it("matches the normal approximation mean ± 1.96·sd/√n on many iid differences, and is seeded", () => {
    const rng = new Rng(3);
    const n = 400;
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      b[i] = rng.uniform();
      a[i] = b[i] + 0.05 + (rng.uniform() - 0.5);
    }
    const d = pairedBootstrap(a, b, { seed: 9, resamples: 4000 });
    let m = 0;
    for (let i = 0; i < n; i++) m += a[i] - b[i];
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (a[i] - b[i] - m) ** 2;
    const se = Math.sqrt(v / (n - 1) / n);
    expect(d.diff).toBeCloseTo(m, 12);
    expect(Math.abs(d.lo - (m - 1.96 * se))).toBeLessThan(0.15 * se);
    expect(Math.abs(d.hi - (m + 1.96 * se))).toBeLessThan(0.15 * se);
    expect(pairedBootstrap(a, b, { seed: 9, resamples: 4000 })).toEqual(d);
    expect(pairedBootstrap(a, b, { seed: 10, resamples: 4000 }).lo).not.toBe(d.lo);
  });

  it("95% intervals cover the true difference about 95% of the time", () => {
    const rng = new Rng(11);
    let covered = 0;
    const trials = 300;
    for (let t = 0; t < trials; t++) {
      const n = 60;
      const a = new Float64Array(n);
      const b = new Float64Array(n);
      // paired 0/1 outcomes (accuracy): P(a=1) = 0.6, P(b=1) = 0.5, true difference 0.1
      for (let i = 0; i < n; i++) {
        const u = rng.uniform();
        a[i] = u < 0.6 ? 1 : 0;
        b[i] = u < 0.5 ? 1 : 0;
      }
      const d = pairedBootstrap(a, b, { seed: t, resamples: 400 });
      if (d.lo <= 0.1 && 0.1 <= d.hi) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.9);
    expect(covered / trials).toBeLessThan(0.99);
  });
});

describe("eval flags", () => {
  it("--models splits only where a new name=scheme: pair starts", () => {
    expect(parseModels("base=gguf:/m/base,v2.gguf,ft=openai:http://h:8000/v1#ft&key_env=K,fticl=openai:http://u:p@h/v1#x")).toEqual([
      { name: "base", spec: "gguf:/m/base,v2.gguf" },
      { name: "ft", spec: "openai:http://h:8000/v1#ft&key_env=K" },
      { name: "fticl", spec: "openai:http://u:p@h/v1#x" },
    ]);
    expect(() => parseModels("a=gguf:x,a=gguf:y")).toThrow(/named twice/);
    expect(parseShots("0,2,4,2")).toEqual([0, 2, 4]);
    expect(() => parseShots("1,-2")).toThrow(/not a non-negative integer/);
  });

  it.skipIf(!haveFticl)("--tests finds the paper's few-shot files and takes explicit ones", () => {
    expect(paperFewShot(fticl("summary/cnn_test_500.json"))).toBe(fticl("summary/few_shot/cnn_few_shot.json"));
    const t = parseTests(`in:${fticl("summary/xsum_test_500.json")},out:${fticl("summary/cnn_test_500.json")}+${fticl("summary/few_shot/pdfs_few_shot.json")}`);
    expect(t).toEqual([
      { name: "xsum_test_500", file: fticl("summary/xsum_test_500.json"), domain: "in", shots: fticl("summary/few_shot/xsum_few_shot.json") },
      { name: "cnn_test_500", file: fticl("summary/cnn_test_500.json"), domain: "out", shots: fticl("summary/few_shot/pdfs_few_shot.json") },
    ]);
  });

  it("comparisons: FT − base and FTICL − FT by name, else each model against the first", () => {
    expect(comparisonPairs(["base", "ft", "fticl"])).toEqual([["ft", "base"], ["fticl", "ft"]]);
    expect(comparisonPairs(["llama", "mine", "theirs"])).toEqual([["mine", "llama"], ["theirs", "llama"]]);
  });
});

describe("label scores", () => {
  it("a text's log-probability leaves out a zero-width end-of-text token; argmax of all -Infinity is no answer", () => {
    const s = { tokens: [{ token: "a", start: 0, end: 1, logprob: -1 }, { token: "b", start: 1, end: 2, logprob: -2 }, { token: "</s>", start: 2, end: 2, logprob: -5 }] };
    expect(textLogprob(s, 2)).toBe(-3);
    expect(argmax([-Infinity, -Infinity])).toBe(-1);
    expect(argmax([-3, -1, -2])).toBe(1);
  });
});

describe("first-token label choice (the paper's method), for backends that offer top log-probabilities", () => {
  /**
   * A stand-in with fixed answers, only to exercise the method choice and label mapping: it has no
   * prompt log-probabilities (score throws, as llama.cpp's server refuses echo) but offers
   * firstTokenLogprobs; the first letter of the prompt decides which label's first token is likelier.
   */
  const stub = (): LanguageModel & { firstTokenLogprobs(p: string[], o: { topK: number }): Promise<Array<Array<{ token: string; logprob: number }>>> } => ({
    id: "stub",
    tokenizer: { kind: "stub", hash: "0", vocabSize: 0 },
    async score() {
      throw new Error("the server refuses echo");
    },
    async firstTokenLogprobs(prompts: string[]) {
      return prompts.map((p) => [
        { token: " pos", logprob: p.startsWith("g") ? -0.2 : -2 },
        { token: "neg", logprob: p.startsWith("g") ? -1.8 : -0.3 },
        { token: "the", logprob: -0.1 },
      ]);
    },
    async close() {},
  });

  it("maps top tokens to labels by prefix, case- and space-insensitively; none matching is no answer", async () => {
    const m = stub();
    const c = await chooseByFirstToken(m, ["good film", "bad film"], ["positive", "negative", "mixed"]);
    expect(c.map((x) => x.label)).toEqual([0, 1]);
    expect(c[0].scores).toEqual([-0.2, -1.8, -Infinity]);
  });

  it("runEval falls back to it when the backend has no prompt log-probabilities, and says so", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "tune-ft-"));
    const f = path.join(dir, "t.jsonl");
    writeFileSync(f, ['{"input":"good","output":"positive"}', '{"input":"bad","output":"positive"}', '{"input":"great","output":"positive"}'].join("\n") + "\n");
    const logs: string[] = [];
    const r = await runEval({ template: "{input}", kind: "classification", labels: ["positive", "negative"], models: [{ name: "m", spec: "stub:" }], tests: [{ name: "t", file: f, domain: "in" }], shots: [0], limit: 250, cacheDir: false, progress: false, open: async () => stub(), log: (m) => logs.push(m) });
    expect(r.cells[0].method).toBe("first-token");
    // "good" and "great" → positive (right), "bad" → negative (wrong)
    expect(r.cells[0].score).toBeCloseTo(200 / 3, 10);
    expect(r.cells[0].noAnswer).toBe(0);
    expect(logs.join("\n")).toMatch(/first generated token's top log-probabilities/);
  });

  it("runEval without shots or limit uses the documented defaults (0-shot, the first 250 items) and writes the report last", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "tune-ft-"));
    const f = path.join(dir, "t.jsonl");
    // 260 items: only the first 250 are evaluated
    writeFileSync(f, Array.from({ length: 260 }, (_, i) => JSON.stringify({ input: i % 2 ? "bad" : "good", output: "positive" })).join("\n") + "\n");
    const report = path.join(dir, "eval.html");
    const logs: string[] = [];
    const r = await runEval({ template: "{input}", kind: "classification", labels: ["positive", "negative"], models: [{ name: "m", spec: "stub:" }], tests: [{ name: "t", file: f, domain: "in" }], cacheDir: false, report, open: async () => stub(), log: (m) => logs.push(m) });
    expect(r.shots).toEqual([0]);
    expect(r.limit).toBe(250);
    expect(r.cells.map((c) => [c.shots, c.n])).toEqual([[0, 250]]);
    expect(readFileSync(report, "utf8")).toContain("Generalisation matrix");
    expect(logs.at(-1)).toBe(`report: ${report}`);
  });
});
