/**
 * adapt tokens on KenLM's own models (lmplz order 3 and 5 on Tiny Shakespeare): each model's
 * perplexity equals KenLM query's "Perplexity including OOVs"; every token delta equals a direct
 * computation from the two models' per-token scores; different tokenizers fall back to bits per
 * byte and say so; bad input fails with one line.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runCli, SHARED_DATA } from "../helpers/cli.js";
import { openLanguageModel, type LanguageModel } from "../../src/backends/lm/index.js";
import { runTokens } from "../../src/pipelines/adapt/tokens.js";
import { tmpDir } from "./fixtures.js";

const K = path.join(SHARED_DATA, "lm/kenlm-shakespeare");
const O3 = `ngram:${K}/shakespeare.o3.arpa.gz`;
const O5 = `ngram:${K}/shakespeare.o5.arpa.gz`;
const TEST = `${K}/test.txt`;

function kenlmPerplexity(order: 3 | 5): number {
  const s = readFileSync(`${K}/shakespeare.o${order}.query-summary.txt`, "utf8");
  return Number(/Perplexity including OOVs:\s+([\d.]+)/.exec(s)![1]);
}

interface TokensJson {
  base: { perplexity: number; tokens: number; bitsPerByte: number };
  adapted: { perplexity: number; tokens: number; bitsPerByte: number };
  comparison: string;
  unit: string;
  tokens: Array<{ token: string; count: number; delta: number; class: string }>;
  tokenTypes: number;
  totalDelta: number;
  classes: Array<{ class: string; delta: number; share: number }>;
  worst: Array<{ token: string; examples: Array<{ context: string }> }>;
}

describe("adapt tokens", () => {
  let out: TokensJson;
  beforeAll(async () => {
    const r = await runCli(["adapt", "tokens", "--base", O3, "--adapted", O5, "--data", TEST, "--json"]);
    if (r.code !== 0) throw new Error(r.stderr);
    out = JSON.parse(r.stdout) as TokensJson;
  });

  it("perplexity of each model equals KenLM query's (including OOVs, </s> counted)", () => {
    expect(out.unit).toBe("line");
    expect(out.base.tokens).toBe(21863);
    expect(out.adapted.tokens).toBe(21863);
    expect(Math.abs(out.base.perplexity / kenlmPerplexity(3) - 1)).toBeLessThan(1e-6);
    expect(Math.abs(out.adapted.perplexity / kenlmPerplexity(5) - 1)).toBeLessThan(1e-6);
  });

  it("every token delta equals Σ(ln p_o5 − ln p_o3) computed from the models' own per-token scores", async () => {
    const lines = readFileSync(TEST, "utf8").split("\n").filter((l) => l.trim() !== "");
    const [a, b] = await Promise.all([openLanguageModel(O3), openLanguageModel(O5)]);
    try {
      const [sa, sb] = [await a.score(lines), await b.score(lines)];
      const want = new Map<string, { count: number; delta: number }>();
      sa.forEach((s, i) =>
        s.tokens.forEach((t, j) => {
          const w = want.get(t.token) ?? { count: 0, delta: 0 };
          w.count++;
          w.delta += sb[i].tokens[j].logprob - t.logprob;
          want.set(t.token, w);
        }),
      );
      expect(out.tokenTypes).toBe(want.size);
      expect(out.tokens.length).toBe(want.size);
      for (const t of out.tokens) {
        const w = want.get(t.token)!;
        expect(t.count).toBe(w.count);
        expect(Math.abs(t.delta - w.delta)).toBeLessThan(1e-9 * Math.max(1, Math.abs(w.delta)));
      }
      const deltas = out.tokens.map((t) => t.delta);
      expect(deltas).toEqual([...deltas].sort((x, y) => x - y));
      expect(out.tokens.find((t) => t.token === "</s>")).toMatchObject({ class: "eol", count: lines.length });
      const total = [...want.values()].reduce((s, w) => s + w.delta, 0);
      expect(out.totalDelta).toBeCloseTo(total, 6);
      expect(out.classes.reduce((s, c) => s + c.share, 0)).toBeCloseTo(1, 9);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("--top limits the list; contexts are short and escaped", async () => {
    const r = await runCli(["adapt", "tokens", "--base", O3, "--adapted", O5, "--data", TEST, "--top", "5", "--worst", "3", "--json"]);
    const j = JSON.parse(r.stdout) as TokensJson;
    expect(j.tokens.length).toBe(5);
    expect(j.tokenTypes).toBe(out.tokenTypes);
    expect(j.tokens.map((t) => t.token)).toEqual(out.tokens.slice(0, 5).map((t) => t.token));
    expect(j.worst.length).toBe(3);
    for (const w of j.worst) for (const e of w.examples) expect(e.context.length).toBeLessThan(120);
  });

  it("models with different tokenizers are compared in bits per byte, and the output says so", async () => {
    const [a, b] = await Promise.all([openLanguageModel(O3), openLanguageModel(O5)]);
    // the same o5 model presented with a subword tokenizer's identity
    const other: LanguageModel = { id: b.id, tokenizer: { kind: "gpt2-bpe", hash: "f".repeat(64), vocabSize: 50257 }, score: (t, o) => b.score(t, o), close: () => b.close() };
    try {
      const r = await runTokens({ base: O3, adapted: "other", data: [TEST], unit: "line", models: { base: a, adapted: other } });
      expect(r.comparison).toBe("bits-per-byte");
      expect(r.note).toMatch(/different tokenizers.*bits per byte/);
      expect(r.tokens).toBeUndefined();
      const bytes = readFileSync(TEST, "utf8").split("\n").filter((l) => l.trim() !== "").reduce((s, l) => s + Buffer.byteLength(l) + 1, 0);
      expect(r.bytes).toBe(bytes);
      expect(r.base.bitsPerByte).toBeCloseTo((Math.log(kenlmPerplexity(3)) * 21863) / Math.LN2 / bytes, 5);
      expect(r.adapted.bitsPerByte).toBeCloseTo((Math.log(kenlmPerplexity(5)) * 21863) / Math.LN2 / bytes, 5);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("reads a .txt as KenLM's query does: every line a sentence, an empty line too (<s> </s>), no line after the final newline", async () => {
    const dir = tmpDir();
    const file = path.join(dir, "t.txt");
    writeFileSync(file, "First Citizen:\n\nBefore we proceed any further, hear me speak.\n");
    const r = await runCli(["adapt", "tokens", "--base", O3, "--adapted", O5, "--data", file, "--json"]);
    const j = JSON.parse(r.stdout) as TokensJson & { texts: number };
    expect(j.texts).toBe(3);
    expect(j.base.tokens).toBe(2 + 1 + 1 + 8 + 1);
    expect(j.tokens.find((t) => t.token === "</s>")!.count).toBe(3);
  });

  it("rejects bad input with one line", async () => {
    const dir = tmpDir();
    const empty = path.join(dir, "empty.txt");
    writeFileSync(empty, "\n\n");
    let r = await runCli(["adapt", "tokens", "--base", O3, "--adapted", O5, "--data", empty]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no text to score/);
    r = await runCli(["adapt", "tokens", "--base", O3, "--adapted", `ngram:${dir}/missing.arpa`, "--data", TEST]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    r = await runCli(["adapt", "tokens", "--base", O3, "--data", TEST]);
    expect(r.code).toBe(2);
    r = await runCli(["adapt", "tokens", "--base", "nope:x", "--adapted", O5, "--data", TEST]);
    expect(r.code).toBe(2);
  });
});
