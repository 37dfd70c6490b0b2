/**
 * tune build: example-by-example equality with the paper's construction (expected strings from
 * Python's str.format_map over ../shared/data/fticl, see paper_construction.py), output shapes,
 * default demos, length warnings, tokenizer files and bad input.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runBuild } from "../../src/pipelines/tune/build.js";
import { writeParquetColumns } from "../../src/io/parquet-write.js";
import { gzipSync } from "node:zlib";
import { compress as zstdCompress } from "../helpers/zstd.js";
import { runCli } from "../helpers/cli.js";
import { DEBIAN_PYTHON, hasTool, requireTool } from "../helpers/system.js";
import { fticl, haveFticl } from "./data.js";
import { backendStatus } from "../../src/util/optional.js";
import { TinyModel } from "../lm/tiny-gguf.js";

const ggufBackend = requireTool("node-llama-cpp (datatailor backends install gguf)", backendStatus("gguf").source !== null);

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "tune-build-"));
const lines = (file: string) => readFileSync(file, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
const python = () => requireTool("python3", hasTool(DEBIAN_PYTHON));

function paperExpected(map: number, task: string, train: string, demos: string, k: number): Array<{ prompt: string; completion: string }> {
  const out = execFileSync(DEBIAN_PYTHON, [path.join(__dirname, "paper_construction.py"), fticl("prompt_map.json"), String(map), task, train, demos, String(k)], {
    maxBuffer: 1 << 30,
  });
  return out.toString("utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
}

const CASES = [
  { task: "summary", train: "summary/xsum_train_2000.json", demos: "summary/few_shot/xsum_few_shot.json", ks: [0, 2, 4] },
  { task: "question", train: "question/socialqa_train_2000.json", demos: "question/few_shot/socialqa_few_shot.json", ks: [0, 4, 8] },
  { task: "sentiment", train: "sentiment/amazon_train_2000.json", demos: "sentiment/few_shot/amazon_few_shot.json", ks: [0, 2, 6] },
] as const;

describe.skipIf(!haveFticl)("paper's construction on ../shared/data/fticl", () => {
  for (const c of CASES) {
    for (const map of [0, 1] as const) {
      it(`${c.task}, map ${map}, k = ${c.ks.join("/")}: every example equals Python's format_map construction`, async () => {
        if (!python()) return;
        const dir = tmp();
        for (const k of c.ks) {
          const out = path.join(dir, `${c.task}-${map}-${k}.jsonl`);
          const s = await runBuild({ task: c.task, map, train: fticl(c.train), demos: fticl(c.demos), k, format: "trl", out });
          const got = lines(out);
          const want = paperExpected(map, c.task, fticl(c.train), fticl(c.demos), k);
          expect(s.examples).toBe(2000);
          expect(got.length).toBe(want.length);
          for (let i = 0; i < want.length; i++) expect(got[i], `example ${i}`).toEqual(want[i]);
        }
      }, 60_000);
    }
  }

  it("the first SocialIQa FTICL example, k = 1, written out by hand", async () => {
    const out = path.join(tmp(), "q.jsonl");
    await runBuild({ task: "question", train: fticl("question/socialqa_train_2000.json"), demos: fticl("question/few_shot/socialqa_few_shot.json"), k: 1, format: "trl", out });
    expect(lines(out)[0]).toEqual({
      prompt:
        "### Input:\nSydney is always respected by Kai.  They were able to make up Kai's mind.\n### Answer:\nthank Sydney sincerely\n### Question:What will happen to Kai?\n\n" +
        "### Input:\nBailey was pregnant with twins. They were both beautiful and healthy.\n### Answer:\nhold the babies\n### Question:",
      completion: "What will Bailey want to do next?",
    });
  });
});

/** A small training set whose strings are easy to check by hand. */
function smallSet(dir: string, n = 5): string {
  const file = path.join(dir, "train.jsonl");
  const recs = Array.from({ length: n }, (_, i) => ({ input: `text number ${i}`, output: `label${i}` }));
  writeFileSync(file, recs.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return file;
}

describe("output formats", () => {
  it("openai: demos are earlier user/assistant turns with weight 0, the last assistant message is the gold output", async () => {
    const dir = tmp();
    const out = path.join(dir, "o.jsonl");
    await runBuild({ task: "sentiment", train: smallSet(dir), k: 2, format: "openai", out });
    const rows = lines(out);
    expect(rows.length).toBe(3); // two records became the demos
    expect(rows[0]).toEqual({
      messages: [
        { role: "user", content: "### Input:\ntext number 0\n### Sentiment:" },
        { role: "assistant", content: "label0", weight: 0 },
        { role: "user", content: "### Input:\ntext number 1\n### Sentiment:" },
        { role: "assistant", content: "label1", weight: 0 },
        { role: "user", content: "### Input:\ntext number 2\n### Sentiment:" },
        { role: "assistant", content: "label2", weight: 1 },
      ],
    });
  });

  it("axolotl: input_output segments, no loss on the prompt; trl and jsonl carry the same prompt", async () => {
    const dir = tmp();
    const train = smallSet(dir);
    const opts = { template: "Q: {input}\nA:", train, k: 1 } as const;
    await runBuild({ ...opts, format: "axolotl", out: path.join(dir, "ax.jsonl") });
    await runBuild({ ...opts, format: "trl", out: path.join(dir, "trl.jsonl") });
    await runBuild({ ...opts, format: "jsonl", out: path.join(dir, "j.jsonl") });
    const prompt = "Q: text number 0\nA:label0\n\nQ: text number 1\nA:";
    expect(lines(path.join(dir, "ax.jsonl"))[0]).toEqual({ segments: [{ label: false, text: prompt }, { label: true, text: "label1" }] });
    expect(lines(path.join(dir, "trl.jsonl"))[0]).toEqual({ prompt, completion: "label1" });
    expect(lines(path.join(dir, "j.jsonl"))[0]).toEqual({ prompt, completion: "label1", query: "Q: text number 1\nA:", k: 1, source_index: 1 });
  });

  it("k = 0 is plain fine-tuning: every record is an example and prompts have no context", async () => {
    const dir = tmp();
    const out = path.join(dir, "ft.jsonl");
    const s = await runBuild({ task: "summary", train: smallSet(dir), k: 0, format: "trl", out });
    expect(s.examples).toBe(5);
    expect(lines(out)[4]).toEqual({ prompt: "### Input:\ntext number 4\n### Summary:", completion: "label4" });
  });
});

describe("input formats", () => {
  it("the same records as a JSON array, .jsonl.gz, .jsonl.zst and Parquet build the same examples", async () => {
    const dir = tmp();
    const recs = Array.from({ length: 6 }, (_, i) => ({ input: `passage ${i} ü`, answer: `a${i}`, output: `question ${i}?` }));
    const jsonl = recs.map((r) => JSON.stringify(r)).join("\n") + "\n";
    writeFileSync(path.join(dir, "t.json"), JSON.stringify(recs, null, 2));
    writeFileSync(path.join(dir, "t.jsonl.gz"), gzipSync(jsonl));
    writeFileSync(path.join(dir, "t.jsonl.zst"), zstdCompress(Buffer.from(jsonl)));
    await writeParquetColumns(path.join(dir, "t.parquet"), { input: recs.map((r) => r.input), answer: recs.map((r) => r.answer), output: recs.map((r) => r.output) });
    const outs: string[] = [];
    for (const f of ["t.json", "t.jsonl.gz", "t.jsonl.zst", "t.parquet"]) {
      const out = path.join(dir, `${f}.out.jsonl`);
      await runBuild({ task: "question", train: path.join(dir, f), k: 2, format: "trl", out });
      outs.push(readFileSync(out, "utf8"));
    }
    expect(new Set(outs).size).toBe(1);
    expect(lines(path.join(dir, "t.json.out.jsonl"))[0]).toEqual({
      prompt: "### Input:\npassage 0 ü\n### Answer:\na0\n### Question:question 0?\n\n### Input:\npassage 1 ü\n### Answer:\na1\n### Question:question 1?\n\n### Input:\npassage 2 ü\n### Answer:\na2\n### Question:",
      completion: "question 2?",
    });
  });
});

describe("lengths", () => {
  it("counts whitespace words per example and warns with counts past --max-length", async () => {
    const dir = tmp();
    const logs: string[] = [];
    const lengths = path.join(dir, "len.jsonl");
    // "### Input:\ntext number i\n### Sentiment:" is 7 words; the label sticks to "Sentiment:" so adds none.
    const s = await runBuild({ task: "sentiment", train: smallSet(dir), k: 1, format: "trl", out: path.join(dir, "o.jsonl"), maxLength: 13, lengthsOut: lengths, log: (m) => logs.push(m) });
    // k = 1: the context "### Input:\ntext number 0\n### Sentiment:label0\n\n" is 7 words, so prompts are 14.
    expect(lines(lengths)[0]).toEqual({ index: 1, prompt_tokens: 14, completion_tokens: 0, total_tokens: 14 });
    expect(s.maxLength).toEqual({ limit: 13, over: 4, completionLost: 4 });
    const fits = await runBuild({ task: "sentiment", train: smallSet(dir), k: 1, format: "trl", out: path.join(dir, "o1.jsonl"), maxLength: 14 });
    expect(fits.maxLength).toEqual({ limit: 14, over: 0, completionLost: 0 });
    const s2 = await runBuild({ template: "{input} ->", train: smallSet(dir), k: 0, format: "trl", out: path.join(dir, "o2.jsonl"), maxLength: 3, log: (m) => logs.push(m) });
    // "text number i ->" + "labeli" = 5 words > 3 for all 5; the 4-word prompts alone pass the limit.
    expect(s2.maxLength).toEqual({ limit: 3, over: 5, completionLost: 5 });
    expect(logs.join("\n")).toMatch(/5 of 5 examples are longer than --max-length 3 whitespace words.*in 5 of them the prompt alone/);
  });

  it("--tokenizer with a Hugging Face tokenizer.json counts that tokenizer's tokens", async () => {
    const dir = tmp();
    // A word-level tokenizer: known words get their id, everything else [UNK]; split on whitespace and punctuation.
    const vocab: Record<string, number> = { "[UNK]": 0, text: 1, number: 2 };
    writeFileSync(
      path.join(dir, "tokenizer.json"),
      JSON.stringify({
        version: "1.0",
        truncation: null,
        padding: null,
        added_tokens: [],
        normalizer: null,
        pre_tokenizer: { type: "BertPreTokenizer" },
        post_processor: null,
        decoder: null,
        model: { type: "WordLevel", vocab, unk_token: "[UNK]" },
      }),
    );
    const s = await runBuild({ template: "{input}:", train: smallSet(dir), k: 0, format: "trl", out: path.join(dir, "o.jsonl"), tokenizer: path.join(dir, "tokenizer.json"), lengthsOut: path.join(dir, "l.jsonl") });
    expect(s.tokenizer).toMatch(/^hf:/);
    // "text number 0:" -> text, number, 0, ":" = 4; + "label0" -> 5 (BERT pre-tokenizer splits on punctuation).
    expect(lines(path.join(dir, "l.jsonl"))[0]).toEqual({ index: 0, prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 });
  });

  it.skipIf(!ggufBackend)("--tokenizer with a GGUF file counts llama.cpp's tokens of that model; a broken file is one clear error", async () => {
    const dir = tmp();
    // the tiny test model has one token per character
    new TinyModel().write(path.join(dir, "tiny.gguf"));
    const train = path.join(dir, "t.jsonl");
    writeFileSync(train, JSON.stringify({ input: "bad cafe", output: "ah" }) + "\n");
    const s = await runBuild({ template: "{input}.", train, k: 0, format: "trl", out: path.join(dir, "o.jsonl"), tokenizer: path.join(dir, "tiny.gguf"), lengthsOut: path.join(dir, "l.jsonl") });
    expect(s.tokenizer).toBe(`gguf:${path.join(dir, "tiny.gguf")}`);
    expect(lines(path.join(dir, "l.jsonl"))[0]).toEqual({ index: 0, prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 });
    writeFileSync(path.join(dir, "m.gguf"), "GGUF");
    const r = await runCli(["tune", "build", "--task", "summary", "--train", smallSet(dir), "--out", path.join(dir, "x.jsonl"), "--tokenizer", path.join(dir, "m.gguf")]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n").pop()).toMatch(/--tokenizer .*m\.gguf: llama\.cpp could not read the vocabulary/);
  }, 300_000);
});

describe("bad input and usage", () => {
  it("records without the template's fields are counted with file and line; --strict exits 3; --json stays one document", async () => {
    const dir = tmp();
    const train = path.join(dir, "t.jsonl");
    writeFileSync(train, ['{"input":"a","output":"x"}', '{"input":"b"}', "not json", '{"text":"c","output":"y"}', '{"input":"d","output":"z"}'].join("\n") + "\n");
    const r = await runCli(["tune", "build", "--task", "sentiment", "--train", train, "--out", path.join(dir, "o.jsonl"), "--json"]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.examples).toBe(2);
    expect(s.badInput.total).toBe(3);
    expect(s.badInput.examples.map((e: { line: number; reason: string }) => [e.line, e.reason])).toEqual([
      [2, "missing_text"],
      [3, "invalid_json"],
      [4, "missing_field"],
    ]);
    const strict = await runCli(["tune", "build", "--task", "sentiment", "--train", train, "--out", path.join(dir, "o2.jsonl"), "--strict"]);
    expect(strict.code).toBe(3);
    expect(strict.stderr.trim().split("\n").pop()).toMatch(/t\.jsonl \(line 2\)/);
  });

  it("unknown task, broken template, too few demos and a missing file are one-line errors", async () => {
    const dir = tmp();
    const train = smallSet(dir, 3);
    const out = path.join(dir, "o.jsonl");
    const unknown = await runCli(["tune", "build", "--task", "poetry", "--train", train, "--out", out]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--task must be one of summary, question, sentiment, inference, detection, got 'poetry'/);
    const tmpl = await runCli(["tune", "build", "--template", "Q: {input", "--train", train, "--out", out]);
    expect(tmpl.code).toBe(2);
    expect(tmpl.stderr).toMatch(/unmatched '\{'/);
    const neither = await runCli(["tune", "build", "--train", train, "--out", out]);
    expect(neither.code).toBe(2);
    const few = await runCli(["tune", "build", "--task", "summary", "--train", train, "--k", "3", "--out", out]);
    expect(few.code).toBe(2);
    expect(few.stderr).toMatch(/too few to take 3 demos/);
    const missing = await runCli(["tune", "build", "--task", "summary", "--train", path.join(dir, "nope.jsonl"), "--out", out]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file/);
    const field = await runCli(["tune", "build", "--task", "inference", "--train", train, "--out", out]);
    expect(field.code).toBe(1);
    expect(field.stderr).toMatch(/no usable records \(each needs "input_1", "input_2", "output"\)/);
    for (const r of [unknown, tmpl, neither, few, missing, field]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
