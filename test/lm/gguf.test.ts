/**
 * gguf: against a tiny GGUF model written by the test (tiny-gguf.ts): all block weights zero, so
 * ln p(next | prev) = log_softmax(W_out · RMSNorm(E[prev]))[next], computed here in plain
 * TypeScript and required to match llama.cpp's to 1e-5; greedy generation must follow the
 * argmax chain. Needs node-llama-cpp (`datatailor backends install gguf`): skipped locally when
 * missing, a failure under CI=true.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendStatus } from "../../src/util/optional.js";
import { assertSameTokenizer, openLanguageModel, sameTokenizer, scoreTexts, summarize } from "../../src/backends/lm/index.js";
import type { LanguageModel } from "../../src/backends/lm/types.js";
import { requireTool } from "../helpers/system.js";
import { runCli } from "../helpers/cli.js";
import { TinyModel, DEFAULT_TINY } from "./tiny-gguf.js";

const present = requireTool("node-llama-cpp (datatailor backends install gguf)", backendStatus("gguf").source !== null);

describe.skipIf(!present)("gguf: tiny llama model, logits = W_out · RMSNorm(E[token])", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "dt-gguf-"));
  const tiny = new TinyModel();
  const file = path.join(dir, "tiny.gguf");
  let lm: LanguageModel;

  beforeAll(async () => {
    tiny.write(file);
    lm = await openLanguageModel(`gguf:${file}`, { threads: 1 });
  });
  afterAll(async () => {
    await lm?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const texts = ["abc def.", "hag\nbad cafe", "a", "", "feed a bag. dab\nface"];

  it("scores every character token to 1e-5 of the hand computation, BOS first", async () => {
    const scored = await lm.score(texts);
    expect(scored).toHaveLength(texts.length);
    for (let k = 0; k < texts.length; k++) {
      const text = texts[k]!;
      const ref = tiny.referenceLogprobs(text);
      const got = scored[k]!.tokens;
      expect(got.map((t) => t.token).join("")).toBe(text);
      expect(got).toHaveLength(ref.length);
      for (let i = 0; i < ref.length; i++) {
        expect(Math.abs(got[i]!.logprob - ref[i]!)).toBeLessThan(1e-5);
        // single-byte characters: token i sits at bytes [i, i+1)
        expect([got[i]!.start, got[i]!.end]).toEqual([i, i + 1]);
      }
    }
    // the model is not trivially uniform: the check above distinguishes tokens
    const spread = tiny.logSoftmaxAfter(tiny.bos);
    expect(Math.max(...spread) - Math.min(...spread)).toBeGreaterThan(1);
  });

  it("probabilities from one context sum to 1 over the vocabulary (a context followed by each token)", async () => {
    const chars = [...DEFAULT_TINY.chars];
    const scored = await lm.score(chars.map((c) => "b" + c));
    const total = scored.reduce((s, t) => s + Math.exp(t.tokens[1]!.logprob), 0);
    // all tokens but BOS/EOS are characters; their mass plus p(EOS | b) is 1
    const pEos = Math.exp(tiny.logSoftmaxAfter(tiny.tokenOf("b"))[tiny.eos]!);
    const pBos = Math.exp(tiny.logSoftmaxAfter(tiny.tokenOf("b"))[tiny.bos]!);
    expect(total + pEos + pBos).toBeCloseTo(1, 5);
  });

  it("texts longer than the context are scored in overlapping windows, each token once", async () => {
    const small = await openLanguageModel(`gguf:${file}`, { contextSize: 16, threads: 1 });
    try {
      const long = "abcdefgh ".repeat(9) + "bead.";
      const [s] = await small.score([long]);
      const ref = tiny.referenceLogprobs(long);
      expect(s!.tokens).toHaveLength(ref.length);
      for (let i = 0; i < ref.length; i++) expect(Math.abs(s!.tokens[i]!.logprob - ref[i]!)).toBeLessThan(1e-5);
    } finally {
      await small.close();
    }
  });

  it("greedy generation follows the argmax chain; max tokens and stop strings apply", async () => {
    // chains of this model (reference): "e" → "ah.", "f" → "g.", "b" → "c" then BOS forever (no text)
    for (const prompt of ["a", "ch", "dead", "b.", "e", "f", "b"]) {
      const want = tiny.referenceGreedy(prompt, 12);
      const [got] = await lm.generate!([prompt], { maxTokens: 12 });
      expect(got).toBe(want);
    }
    expect(tiny.referenceGreedy("e", 12)).toBe("ah.");
    const [two] = await lm.generate!(["e"], { maxTokens: 2 });
    expect(two).toBe("ah");
    const [stopped] = await lm.generate!(["e"], { maxTokens: 12, stop: ["zz", "h"] });
    expect(stopped).toBe("a");
  });

  it("tokenizer identity comes from the GGUF vocabulary: same vocabulary → same identity, different → not", async () => {
    expect(lm.tokenizer.kind).toBe("gguf-gpt2");
    expect(lm.tokenizer.vocabSize).toBe(tiny.nVocab);
    const other = path.join(dir, "other-weights.gguf");
    new TinyModel({ ...DEFAULT_TINY, seed: 99 }).write(other);
    const diffVocab = path.join(dir, "other-vocab.gguf");
    new TinyModel({ ...DEFAULT_TINY, chars: "abcdefghij .\n" }).write(diffVocab);
    const a = await openLanguageModel(`gguf:${other}`, { threads: 1 });
    const b = await openLanguageModel(`gguf:${diffVocab}`, { threads: 1 });
    try {
      expect(sameTokenizer(lm.tokenizer, a.tokenizer)).toBe(true);
      expect(() => assertSameTokenizer(lm, a)).not.toThrow();
      expect(sameTokenizer(lm.tokenizer, b.tokenizer)).toBe(false);
      expect(() => assertSameTokenizer(lm, b)).toThrow(/tokenize differently/);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("scoreTexts batches, reports progress and stops on an aborted signal", async () => {
    const many = Array.from({ length: 10 }, (_, i) => "abc".slice(0, (i % 3) + 1) + " bag");
    const seen: number[] = [];
    const out = await scoreTexts(lm, many, { batchSize: 3, onBatch: (d) => seen.push(d) });
    expect(seen).toEqual([3, 6, 9, 10]);
    expect(summarize(out[0]!).tokens).toBe(5);
    expect(summarize(out[0]!).logprob).toBeCloseTo(tiny.referenceLogprobs(many[0]!).reduce((a, b) => a + b, 0), 5);
    const ac = new AbortController();
    ac.abort(new Error("stopped by the test"));
    await expect(scoreTexts(lm, many, { signal: ac.signal })).rejects.toThrow(/stopped by the test/);
  });

  it("a missing file and a file that is not GGUF give one-line errors", async () => {
    await expect(openLanguageModel(`gguf:${path.join(dir, "nope.gguf")}`)).rejects.toThrow(/no such file/);
    const bad = path.join(dir, "bad.gguf");
    writeFileSync(bad, "this is not a gguf file at all, just text\n".repeat(10));
    const err = (await openLanguageModel(`gguf:${bad}`).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/could not load the model/);
    expect(err.message).not.toContain("\n");
  });

  it("lm score on the command line: per-line log-prob, token count and perplexity", async () => {
    const input = path.join(dir, "lines.txt");
    writeFileSync(input, "abc def.\nhag\n\nbad cafe\n");
    const r = await runCli(["lm", "score", "--lm", `gguf:${file}`, "--threads", "1", input, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { lines: Array<{ line: number; logprob: number; tokens: number; perplexity: number | null }>; total: { tokens: number; logprob: number; perplexity: number } };
    const lines = ["abc def.", "hag", "", "bad cafe"];
    expect(json.lines.map((l) => l.line)).toEqual([1, 2, 3, 4]);
    let tot = 0;
    let n = 0;
    lines.forEach((text, i) => {
      const ref = tiny.referenceLogprobs(text);
      const sum = ref.reduce((a, b) => a + b, 0);
      tot += sum;
      n += ref.length;
      expect(json.lines[i]!.tokens).toBe(ref.length);
      expect(json.lines[i]!.logprob).toBeCloseTo(sum, 5);
      if (ref.length) expect(Math.abs(json.lines[i]!.perplexity! / Math.exp(-sum / ref.length) - 1)).toBeLessThan(1e-5);
      else expect(json.lines[i]!.perplexity).toBeNull();
    });
    expect(json.total.tokens).toBe(n);
    expect(Math.abs(json.total.perplexity / Math.exp(-tot / n) - 1)).toBeLessThan(1e-5);
  });
});
