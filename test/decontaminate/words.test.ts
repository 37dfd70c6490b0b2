/**
 * The tokenisation rule against the Python reference (datatrove's simplify_text + split, run by
 * Debian python3), on hand-picked edge cases and on real benchmark text; and the hashes the
 * tokenizer streams equal the hashes of the words it would print.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { hashWord, normalizedWords, tokenize, WordBuffer } from "../../src/models/contam/words.js";
import { SHARED_DATA } from "../helpers/cli.js";
import { havePython, pythonWords } from "./python.js";

const CASES = [
  "Hello, World!",
  "It's a well-known fact: 1,000 people (roughly) paid $3.50 each.",
  "Café, naïve, ÉCOLE, Ångström, façade — über",
  "“Smart quotes” and ‘single’ ones, „low“ «guillemets» … ellipsis",
  "tabs\tand\nnewlines\r\nand\u00a0nbsp\u2003em-space\u3000ideographic",
  "fullwidth：punct，（ok）！？ and １２３ ４５",
  "digits 2024-01-15 v1.2.3 x86_64 3rd 10th",
  "Arabic-Indic ٣٤٥ and Devanagari ५६ digits",
  "combining: e\u0301 a\u0308 n\u0303 and precomposed é ä ñ",
  "emoji 😀👍🏽 and CJK 中文字 한국어",
  "control\u0001chars\u0007inside\u007fand\u0085next",
  "UPPER lower MiXeD",
  "   leading and trailing   ",
  "a--b a - b a/b a.b.c",
  "İstanbul ǅemal ﬁne",
  "",
];

describe.skipIf(!havePython)("tokenisation rule = datatrove simplify_text + whitespace split (Python reference)", () => {
  it("agrees on edge cases", () => {
    const py = pythonWords(CASES);
    CASES.forEach((t, i) => expect(normalizedWords(t), JSON.stringify(t)).toEqual(py[i]));
  });

  it("agrees on every item text of several benchmarks", () => {
    const texts: string[] = [];
    for (const f of ["boolq.validation.jsonl", "mmlu.validation.jsonl", "agieval/sat-math.jsonl", "llm-foundry/math.jsonl", "gsm8k.train.jsonl"]) {
      const lines = readFileSync(path.join(SHARED_DATA, "benchmarks", f), "utf8").split("\n").filter(Boolean).slice(0, 400);
      for (const l of lines) texts.push(JSON.stringify(JSON.parse(l)));
    }
    const py = pythonWords(texts);
    let words = 0;
    texts.forEach((t, i) => {
      const mine = normalizedWords(t);
      expect(mine, t.slice(0, 80)).toEqual(py[i]);
      words += mine.length;
    });
    expect(words).toBeGreaterThan(100_000);
  });
});

describe("streamed word hashes", () => {
  it("equal the hashes of the printed words, and spans cover each word", () => {
    const buf = new WordBuffer();
    for (const t of CASES) {
      const words = normalizedWords(t);
      const n = tokenize(t, buf);
      expect(n).toBe(words.length);
      for (let i = 0; i < n; i++) {
        const [a, b] = hashWord(words[i]!);
        expect([buf.a[i], buf.b[i]]).toEqual([a, b]);
        expect(normalizedWords(t.slice(buf.start[i], buf.end[i]))).toEqual([words[i]]);
      }
    }
  });

  it("grows past its initial buffer", () => {
    const word = (i: number) => "w" + String.fromCharCode(97 + (i % 26)) + String.fromCharCode(97 + ((i / 26) | 0) % 26);
    const text = Array.from({ length: 5000 }, (_, i) => word(i)).join(" ");
    const buf = new WordBuffer();
    expect(tokenize(text, buf)).toBe(5000);
    for (const i of [0, 1023, 1024, 4999]) expect([buf.a[i], buf.b[i]]).toEqual(hashWord(word(i)));
  });
});
