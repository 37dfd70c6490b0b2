/**
 * select's language-model methods. CCNet's normalisation against cc_net's own test strings;
 * a document's perplexity against KenLM's query output (the shared references: per-sentence
 * totals of test.txt under lmplz's order-3 model); Moore–Lewis recovering a domain on a
 * labelled pool, with the models trained in the run.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { runSelect } from "../../src/pipelines/select/index.js";
import { loadScorer } from "../../src/pipelines/select/scorer.js";
import { ccnetNormalize } from "../../src/text/ccnet-normalize.js";
import { sharedValue } from "../../src/util/thread-shared.js";
import type { ModelParts } from "../../src/models/ngram/query-model.js";
import { SHARED_DATA } from "../helpers/cli.js";
import { BOS, fakeLogprob, fakeTokenize, startFakeServer } from "../lm/vllm-server.js";

const KENLM = path.join(SHARED_DATA, "lm/kenlm-shakespeare");

describe("CCNet normalisation", () => {
  it("matches cc_net's own test cases", () => {
    // cc_net tests/test_normalizer.py: replace_unicode_punct on its list (the fullwidth １ is a
    // digit, so normalize turns it into 0 first), and numbers=True on fullwidth and ASCII digits
    const weird = "，。、„”“«»１」「《》´∶：？！（）；–—．～’…━〈〉【】％";
    expect(ccnetNormalize(weird)).toBe(',.,"""""0""""\'::?!();- - . ~\'...-<>[]%');
    expect(ccnetNormalize("０２３４５６７８９ | 0123456789")).toBe("000000000 | 0000000000");
    expect(ccnetNormalize("  Héllo Wörld\u0007 2024\t")).toBe("hello world 0000");
  });
});

describe("perplexity selection", () => {
  it("scores a document as CCNet does with KenLM: 10^(-Σ log10 p / Σ (words + 1)) over its lines", async () => {
    const lines = readFileSync(path.join(KENLM, "test.txt"), "utf8").split("\n").slice(0, 60);
    const totals = gunzipSync(readFileSync(path.join(KENLM, "shakespeare.o3.query-sentence.txt.gz")))
      .toString("utf8")
      .split("\n")
      .filter((l) => l.startsWith("Total:"))
      .slice(0, 60)
      .map((l) => Number(/^Total: (\S+)/.exec(l)![1]));
    const logp = totals.reduce((a, b) => a + b, 0);
    const length = lines.reduce((a, l) => a + l.split(/\s+/).filter(Boolean).length + 1, 0);
    const expected = 10 ** (-logp / length);
    const scorer = await loadScorer({ kind: "perplexity", lm: path.join(KENLM, "shakespeare.o3.arpa.gz"), normalize: false }, "/");
    if (scorer.batch) throw new Error("an ngram: model scores one document at a time");
    const got = 10 ** -scorer.score(lines.join("\n"), "doc:1");
    expect(Math.abs(got / expected - 1)).toBeLessThan(1e-5);
  }, 120_000);
});

describe("perplexity selection on threads", () => {
  it("the main thread offers its model to the shard threads in shared memory; they keep what its own scorer ranks best", async () => {
    const arpa = path.join(KENLM, "shakespeare.o3.arpa.gz");
    const dir = mkdtempSync(path.join(os.tmpdir(), "dt-ppl-threads-"));
    const lines = readFileSync(path.join(KENLM, "test.txt"), "utf8").split("\n").filter((l) => l.trim()).slice(0, 400);
    const docs = Array.from({ length: 100 }, (_, i) => ({ id: `d${i}`, text: lines.slice(i * 4, i * 4 + 4).join("\n") }));
    writeFileSync(path.join(dir, "a.jsonl"), docs.slice(0, 50).map((d) => JSON.stringify(d)).join("\n") + "\n");
    writeFileSync(path.join(dir, "b.jsonl"), docs.slice(50).map((d) => JSON.stringify(d)).join("\n") + "\n");
    const out = path.join(dir, "out");
    const res = await runSelect({ method: "perplexity", lm: `ngram:${arpa}`, target: [], corpus: [path.join(dir, "a.jsonl"), path.join(dir, "b.jsonl")], out, keep: 0.2, keepBy: "docs", seed: 1, report: false, workers: 2 });
    expect(res.summary.kept).toBe(20);
    // the main thread offered its model to the pool's threads, every table in shared memory
    const parts = sharedValue<ModelParts>(`ngram-model:${arpa}`);
    expect(parts).toBeDefined();
    for (const t of parts!.tables) expect(t.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(parts!.vocab.slots.buffer).toBeInstanceOf(SharedArrayBuffer);
    // what the threads kept: the 20 best by the main thread's own scorer
    const scorer = await loadScorer({ kind: "perplexity", lm: arpa, normalize: true }, "/");
    if (scorer.batch) throw new Error("an ngram: model scores one document at a time");
    const want = [...docs].sort((x, y) => scorer.score(y.text, y.id) - scorer.score(x.text, x.id) || (x.id < y.id ? -1 : 1)).slice(0, 20).map((d) => d.id);
    const kept = ["a.jsonl", "b.jsonl"].flatMap((f) => readFileSync(path.join(out, "selected", f), "utf8").split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id));
    expect(new Set(kept)).toEqual(new Set(want));
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});

describe("perplexity selection with a server's model (openai:)", () => {
  // The toy server's ln p are hashes of (previous token, token): a correct client's document score
  // is their mean over the document's tokens, which this test computes from the server's own rule.
  const expectedScore = (text: string) => {
    const toks = fakeTokenize(text);
    let lp = 0;
    toks.forEach((t, i) => (lp += fakeLogprob(i === 0 ? BOS : toks[i - 1]!, t)));
    return lp / toks.length / Math.LN10;
  };
  const words = ["river", "stone", "quiet", "market", "signal", "orbit", "amber", "ledger", "canvas", "harbor", "Number", "12", ",", "."];

  it("keeps exactly the documents with the lowest perplexity under the server's model, across shards, and reruns from the cache", async () => {
    const srv = await startFakeServer("vllm", { model: "toy-model" });
    try {
      const dir = mkdtempSync(path.join(os.tmpdir(), "dt-ppl-openai-"));
      let seed = 7;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
      const docs = Array.from({ length: 160 }, (_, i) => ({ id: `d${i}`, text: Array.from({ length: 3 + Math.floor(rnd() * 12) }, () => words[Math.floor(rnd() * words.length)]!).join(" ") + (i % 9 === 0 ? "\nsecond line here" : "") }));
      writeFileSync(path.join(dir, "a.jsonl"), docs.slice(0, 80).map((d) => JSON.stringify(d)).join("\n") + "\n");
      writeFileSync(path.join(dir, "b.jsonl"), docs.slice(80).map((d) => JSON.stringify(d)).join("\n") + "\n");
      const out = path.join(dir, "out");
      const opts = { method: "perplexity" as const, lm: `openai:${srv.url}/v1#toy-model`, target: [], corpus: [path.join(dir, "a.jsonl"), path.join(dir, "b.jsonl")], out, keep: 0.25, keepBy: "docs" as const, seed: 1, report: false, workers: 2 };
      const res = await runSelect(opts);
      expect(res.summary.kept).toBe(40);
      const kept = new Set(["a.jsonl", "b.jsonl"].flatMap((f) => readFileSync(path.join(out, "selected", f), "utf8").split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id)));
      const want = [...docs].sort((x, y) => expectedScore(y.text) - expectedScore(x.text)).slice(0, 40).map((d) => d.id);
      expect([...kept].sort()).toEqual(want.sort());
      const requests = srv.stats.requests;
      await runSelect({ ...opts, out: path.join(dir, "out2"), workers: 1 });
      expect(srv.stats.requests).toBeGreaterThan(requests); // another output directory: its own cache
      const before = srv.stats.requests;
      rmSync(path.join(out, "completions"), { recursive: true, force: true });
      rmSync(path.join(out, "model"), { recursive: true, force: true });
      const again = await runSelect(opts);
      expect(again.summary.kept).toBe(40);
      expect(srv.stats.requests - before).toBeLessThanOrEqual(3); // one probe per opening (coordinator, two worker threads); every answer came from <out>/cache/lm
    } finally {
      await srv.close();
    }
  }, 120_000);

  it("refuses credentials inside the URL (the spec is written into the output directory) and unknown schemes, as usage errors", async () => {
    const base = { method: "perplexity" as const, target: [], corpus: [path.join(SHARED_DATA, "corpora/nltk-corpora/brown.jsonl")], out: path.join(os.tmpdir(), "dt-ppl-never"), keep: 0.1, report: false };
    await expect(runSelect({ ...base, lm: "openai:http://user:s3cret-pass@127.0.0.1:9/v1#m" })).rejects.toMatchObject({ exitCode: 2, message: expect.not.stringContaining("s3cret") });
    await expect(runSelect({ ...base, lm: "kenlm:x.arpa" })).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining("unknown language model scheme") });
  });
});

describe("Moore–Lewis selection", () => {
  it("recovers the target's domain on a labelled pool", async () => {
    const read = (rel: string) =>
      readFileSync(path.join(SHARED_DATA, rel), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const docs = [
      ...read("benchmarks/llm-foundry/math.jsonl").slice(0, 300).map((r, i) => ({ id: `math-${i}`, text: `${r.context}\n${r.chain_of_thought}`, domain: "math" })),
      ...read("corpora/nltk-corpora/movie_reviews.jsonl").slice(0, 1200).map((r, i) => ({ id: `rev-${i}`, text: String(r.text), domain: "reviews" })),
      ...read("corpora/nltk-corpora/abc_news_blocks.jsonl").slice(0, 1500).map((r, i) => ({ id: `news-${i}`, text: String(r.text), domain: "news" })),
    ];
    const dir = mkdtempSync(path.join(os.tmpdir(), "dt-ml-"));
    writeFileSync(path.join(dir, "pool.jsonl"), docs.map((d) => JSON.stringify(d)).join("\n") + "\n");
    writeFileSync(path.join(dir, "gsm8k.train.jsonl"), read("benchmarks/gsm8k.train.jsonl").slice(0, 300).map((r) => JSON.stringify({ text: `${r.question}\n${r.answer}` })).join("\n") + "\n");
    const out = path.join(dir, "out");
    const res = await runSelect({ method: "moore-lewis", target: [path.join(dir, "gsm8k.train.jsonl")], corpus: [path.join(dir, "pool.jsonl")], out, keep: 300 / docs.length, keepBy: "docs", seed: 1, report: false, groupBy: "domain" });
    expect(res.summary.kept).toBe(300);
    // math is 10% of the pool; random would keep ~30 of the 300
    expect(res.summary.groups!.math!.kept).toBeGreaterThan(200);
  }, 240_000);
});
