/**
 * The ngram: backend: natural-log per-token scores equal to KenLM's query (log10 × ln 10) on the
 * reference model, byte offsets into the text, OOV flags; and the model is normalised: for
 * sampled contexts, p(w | h) summed over the vocabulary (with <unk> and </s>, without <s>) is 1.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { loadArpa, openNgram, scoreText } from "../../src/backends/lm/ngram.js";
import { QueryState, type NgramModel } from "../../src/models/ngram/query-model.js";
import { trainNgram } from "../../src/models/ngram/train.js";
import { arpaChunks } from "../../src/models/ngram/arpa-write.js";
import { ArpaParser } from "../../src/models/ngram/arpa-read.js";
import { SHARED_DATA } from "../helpers/cli.js";

const REF = path.join(SHARED_DATA, "lm/kenlm-shakespeare");
let o3: NgramModel;
beforeAll(async () => {
  o3 = await loadArpa(path.join(REF, "shakespeare.o3.arpa.gz"));
});

describe("ngram: backend", () => {
  it("per-token natural-log probabilities are KenLM's query values × ln 10", async () => {
    const lm = await openNgram(path.join(REF, "shakespeare.o3.arpa.gz"));
    expect(lm.tokenizer.kind).toBe("whitespace+eos");
    expect(lm.tokenizer.vocabSize).toBe(23969);
    expect(lm.tokenizer.hash).toMatch(/^[0-9a-f]{64}$/);
    const testLines = readFileSync(path.join(REF, "test.txt"), "utf8").split("\n").slice(0, 200);
    const refLines = gunzipSync(readFileSync(path.join(REF, "shakespeare.o3.query-word.first200.txt.gz"))).toString("utf8").split("\n").slice(0, 200);
    const scored = await lm.score(testLines);
    for (let i = 0; i < 200; i++) {
      const words = refLines[i].split("\t").filter((w) => /=\d+ \d+ /.test(w));
      const toks = scored[i].tokens;
      expect(toks.length).toBe(words.length);
      for (let k = 0; k < words.length; k++) {
        const m = /^(.*)=(\d+) (\d+) (\S+)$/.exec(words[k])!;
        expect(toks[k].token).toBe(m[1]);
        expect(toks[k].logprob).toBeCloseTo(Number(m[4]) * Math.LN10, 5);
        expect(Boolean(toks[k].oov)).toBe(m[2] === "0");
      }
    }
    await lm.close();
  });

  it("tokens carry UTF-8 byte offsets; each line ends in </s> at its end", () => {
    const text = "Romeo,  wherefore\tart thou?\nçà va";
    const r = scoreText(o3, text);
    const buf = Buffer.from(text);
    expect(r.tokens.map((t) => t.token)).toEqual(["Romeo,", "wherefore", "art", "thou?", "</s>", "çà", "va", "</s>"]);
    for (const t of r.tokens) if (t.token !== "</s>") expect(buf.toString("utf8", t.start, t.end)).toBe(t.token);
    expect(r.tokens[4]).toMatchObject({ start: 27, end: 27 });
    expect(r.tokens[7]).toMatchObject({ start: buf.length, end: buf.length });
    expect(r.tokens[5].oov).toBe(true);
    // a final newline opens no extra line
    expect(scoreText(o3, "What is\n").tokens.length).toBe(3);
  });

  function sums(m: NgramModel, contexts: string[][]): number[] {
    const out: number[] = [];
    const st = new QueryState(m.order);
    const a = new QueryState(m.order);
    for (const ctx of contexts) {
      m.beginSentence(st);
      for (const w of ctx) {
        m.score(st, Math.max(0, m.vocab.findString(w)), a);
        st.copyFrom(a);
      }
      let s = 0;
      for (let id = 0; id < m.vocab.size; id++) if (id !== m.bos) s += Math.pow(10, m.score(st, id, a));
      out.push(s);
    }
    return out;
  }

  /** Contexts drawn from the test text with a fixed seed (prefixes of lines). */
  function sampleContexts(n: number, seed: number): string[][] {
    const lines = readFileSync(path.join(REF, "test.txt"), "utf8").split("\n").filter(Boolean);
    let s = seed >>> 0;
    const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
    const out: string[][] = [[]];
    while (out.length < n) {
      const words = lines[Math.floor(rand() * lines.length)].split(" ");
      out.push(words.slice(0, Math.floor(rand() * Math.min(words.length, 6))));
    }
    return out;
  }

  it("probabilities sum to 1 over the vocabulary (KenLM's order-3 model)", () => {
    for (const s of sums(o3, sampleContexts(12, 7))) expect(Math.abs(s - 1)).toBeLessThan(1e-5);
  });

  it("probabilities sum to 1 over the vocabulary (an order-5 model trained here)", () => {
    const m = trainNgram(readFileSync(path.join(REF, "train.txt")).subarray(0, 300_000), { order: 5 });
    const p = new ArpaParser();
    for (const c of arpaChunks(m.trie, m.estimate, m.vocab)) p.push(c);
    const model = p.end();
    for (const s of sums(model, sampleContexts(12, 11))) expect(Math.abs(s - 1)).toBeLessThan(1e-5);
  });
});
