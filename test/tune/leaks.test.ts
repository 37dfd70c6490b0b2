/**
 * Leakage check: the paper's own release (demos that are test items), planted copies of every
 * kind, and nothing in clean sets.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runBuild } from "../../src/pipelines/tune/build.js";
import { findLeaks } from "../../src/pipelines/tune/leaks.js";
import type { TuneItem, TuneSet } from "../../src/pipelines/tune/read.js";
import { runCli } from "../helpers/cli.js";
import { fticl, haveFticl } from "./data.js";

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "tune-leaks-"));
const item = (input: string, index: number, output = "o"): TuneItem => ({ fields: { input, output }, output, index, line: index + 1 });
const set = (name: string, inputs: string[]): TuneSet => ({ file: name, name, items: inputs.map((t, i) => item(t, i)), rejected: 0 });

/** Letters for a number (digit runs all normalise to "0", so filler words must be letters). */
const letters = (k: number): string => (k < 26 ? "" : letters(Math.floor(k / 26) - 1)) + String.fromCharCode(97 + (k % 26));
/** Deterministic filler text: distinct words so unrelated items share no 13-gram. */
function words(seed: number, n: number): string {
  return Array.from({ length: n }, (_, i) => `w${letters(seed)}x${letters(i)}`).join(" ");
}

describe.skipIf(!haveFticl)("the paper's release leaks (first 250 test items, the evaluated slice)", () => {
  const build = async (task: "summary" | "question", name: string, k: number) => {
    const dir = tmp();
    const train = task === "summary" ? "summary/xsum_train_2000.json" : "question/socialqa_train_2000.json";
    return runBuild({
      task,
      train: fticl(train),
      demos: fticl(task, "few_shot", `${name}_few_shot.json`),
      k,
      format: "trl",
      out: path.join(dir, "o.jsonl"),
      tests: [fticl(task, `${name}_test_500.json`)],
      testLimit: 250,
    });
  };

  it("two CNN/DM demos are CNN test items 67 and 159", async () => {
    const s = await build("summary", "cnn", 4);
    expect(s.leaks!.filter((l) => l.source === "demo")).toEqual([
      { test: "cnn_test_500", testIndex: 67, source: "demo", sourceIndex: 1, kind: "exact" },
      { test: "cnn_test_500", testIndex: 159, source: "demo", sourceIndex: 3, kind: "exact" },
    ]);
  }, 120_000);

  it("a SocialIQa demo is SocialIQa test item 229", async () => {
    const s = await build("question", "socialqa", 8);
    expect(s.leaks!.filter((l) => l.source === "demo")).toEqual([{ test: "socialqa_test_500", testIndex: 229, source: "demo", sourceIndex: 1, kind: "exact" }]);
  }, 120_000);

  it("a TweetQA demo shares its tweet with test item 111 (different answer, so a 13-gram overlap)", async () => {
    const s = await build("question", "tweetqa", 4);
    const demo = s.leaks!.filter((l) => l.source === "demo");
    expect(demo.map((l) => [l.testIndex, l.sourceIndex, l.kind])).toEqual([[111, 0, "ngram13"]]);
  }, 120_000);

  it("SciQ demos are test items 9 (byte-identical) and 154 (one space before a full stop)", async () => {
    const s = await build("question", "sciqa", 8);
    expect(s.leaks!.filter((l) => l.source === "demo")).toEqual([
      { test: "sciqa_test_500", testIndex: 9, source: "demo", sourceIndex: 6, kind: "exact" },
      { test: "sciqa_test_500", testIndex: 154, source: "demo", sourceIndex: 3, kind: "normalized" },
    ]);
  }, 120_000);

  it("beyond the issue's list: SST-2 demo 4 is test item 145 and Amazon demo 6 is test item 156", async () => {
    const run = (name: string) =>
      runBuild({ task: "sentiment", train: fticl("sentiment/amazon_train_2000.json"), demos: fticl("sentiment/few_shot", `${name}_few_shot.json`), k: 8, format: "trl", out: path.join(tmp(), "o.jsonl"), tests: [fticl("sentiment", `${name}_test_500.json`)], testLimit: 250 });
    expect((await run("sst2")).leaks!.filter((l) => l.source === "demo")).toEqual([{ test: "sst2_test_500", testIndex: 145, source: "demo", sourceIndex: 4, kind: "exact" }]);
    expect((await run("amazon")).leaks!.filter((l) => l.source === "demo")).toEqual([{ test: "amazon_test_500", testIndex: 156, source: "demo", sourceIndex: 6, kind: "exact" }]);
    expect((await run("yelp")).leaks!.filter((l) => l.source === "demo")).toEqual([]);
  }, 60_000);

  it("the CLI says so in --json and on stderr", async () => {
    const dir = tmp();
    const r = await runCli([
      "tune", "build", "--task", "summary", "--train", fticl("summary/xsum_train_2000.json"), "--demos", fticl("summary/few_shot/cnn_few_shot.json"),
      "--k", "4", "--format", "openai", "--out", path.join(dir, "o.jsonl"), "--test", fticl("summary/cnn_test_500.json"), "--test-limit", "250", "--json",
    ]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.leaks.filter((l: { source: string }) => l.source === "demo").map((l: { testIndex: number }) => l.testIndex)).toEqual([67, 159]);
    expect(r.stderr).toMatch(/cnn_test_500\[67\] = demo\[1\] \(exact\)/);
  }, 120_000);
});

describe("planted items", () => {
  const test = set("test", [words(1, 40), words(2, 40), words(3, 40), words(4, 8), words(5, 40)]);

  it("finds exact, normalised and 13-gram copies, each pair once with the strongest kind", () => {
    const demo = [item(words(1, 40), 0)];
    const train = [
      item(words(9, 30), 0), // clean
      item(words(2, 40).toUpperCase().replace(/ /g, " , "), 1), // normalised copy of test 1
      item(`prefix words here ${words(3, 40).split(" ").slice(10, 23).join(" ")} and more`, 2), // exactly 13 words of test 3
      item(`${words(5, 40).split(" ").slice(0, 12).join(" ")} unrelated tail`, 3), // only 12 words: no 13-gram
      item(words(4, 8), 4), // a short item, exact
    ];
    const leaks = findLeaks([test], { demo, train }, { fields: ["input"] });
    expect(leaks.map((l) => [l.testIndex, l.source, l.sourceIndex, l.kind])).toEqual([
      [0, "demo", 0, "exact"],
      [1, "train", 1, "normalized"],
      [2, "train", 2, "ngram13"],
      [3, "train", 4, "exact"],
    ]);
    expect(leaks[2].sharedNgrams).toBe(1); // exactly one 13-word window in common
    expect(leaks[2].testNgrams).toBe(28);
  });

  it("finds nothing in a clean set, and --test-limit keeps later items out", () => {
    const clean = [item(words(7, 50), 0), item(words(8, 50), 1)];
    expect(findLeaks([test], { demo: [], train: clean }, { fields: ["input"] })).toEqual([]);
    // a test item under 13 words inside a longer training text is not a leak (only exact / normalised)
    expect(findLeaks([test], { demo: [], train: [item(`${words(4, 8)} ${words(11, 20)}`, 0)] }, { fields: ["input"] })).toEqual([]);
    expect(findLeaks([test], { demo: [], train: [item(words(5, 40), 0)] }, { fields: ["input"], limit: 4 })).toEqual([]);
    expect(findLeaks([test], { demo: [], train: [item(words(5, 40), 0)] }, { fields: ["input"], limit: 5 })).toHaveLength(1);
  });

  it("compares every template field: same passage, different answer is not an exact copy", () => {
    const q = (input: string, answer: string, index: number): TuneItem => ({ fields: { input, answer, output: "q" }, output: "q", index, line: index + 1 });
    const t: TuneSet = { file: "t", name: "t", items: [q(words(1, 20), "yes", 0), q("short passage", "no", 1)], rejected: 0 };
    const leaks = findLeaks([t], { demo: [q(words(1, 20), "no", 0), q("short passage", "yes", 1)], train: [] }, { fields: ["input", "answer"] });
    expect(leaks.map((l) => [l.testIndex, l.sourceIndex, l.kind])).toEqual([[0, 0, "ngram13"]]);
  });

  it("through the CLI on files: planted JSONL test items are listed, a clean test set gives an empty list", async () => {
    const dir = tmp();
    const w = (name: string, recs: object[]) => {
      const f = path.join(dir, name);
      writeFileSync(f, recs.map((r) => JSON.stringify(r)).join("\n") + "\n");
      return f;
    };
    const train = w("train.jsonl", [0, 1, 2, 3].map((i) => ({ input: words(10 + i, 30), output: `l${i}` })));
    const dirty = w("dirty.jsonl", [{ input: words(50, 30), output: "x" }, { input: words(12, 30), output: "y" }]);
    const clean = w("clean.jsonl", [{ input: words(60, 30), output: "x" }]);
    const r = await runCli(["tune", "build", "--task", "sentiment", "--train", train, "--k", "1", "--out", path.join(dir, "o.jsonl"), "--test", dirty, clean, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).leaks).toEqual([{ test: "dirty", testIndex: 1, source: "train", sourceIndex: 2, kind: "exact" }]);
    const r2 = await runCli(["tune", "build", "--task", "sentiment", "--train", train, "--out", path.join(dir, "o2.jsonl"), "--test", clean, "--json"]);
    expect(JSON.parse(r2.stdout).leaks).toEqual([]);
  }, 120_000);
});
