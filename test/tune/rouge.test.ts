/**
 * ROUGE-L against rouge_score's published example, hand-computed values, an independent Python
 * implementation of its documented steps (Python's own lower() and re), and `tune score`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lcsLength, rougeL, rougeTokens } from "../../src/models/rouge/index.js";
import { Rng } from "../../src/models/stats/rng.js";
import { runCli } from "../helpers/cli.js";
import { DEBIAN_PYTHON, hasTool, requireTool } from "../helpers/system.js";

describe("ROUGE-L core", () => {
  it("rouge_score README example: rougeL P 0.625, R 5/9, F 0.5882352941176471", () => {
    const s = rougeL("The quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log.");
    expect(s.precision).toBe(0.625);
    expect(s.recall).toBe(5 / 9);
    expect(s.fmeasure).toBe(0.5882352941176471);
  });

  it("hand-computed values", () => {
    // tokens: [police, killed, the, gunman] vs [the, gunman, was, killed, by, police]; LCS "the gunman" = 2.
    const s = rougeL("police killed the gunman", "the gunman was killed by police");
    expect([s.precision, s.recall]).toEqual([2 / 6, 2 / 4]);
    expect(s.fmeasure).toBeCloseTo((2 * (1 / 3) * (1 / 2)) / (1 / 3 + 1 / 2), 15);
    expect(rougeL("A-B c", "a b C").fmeasure).toBe(1); // punctuation → space, case folded
    expect(rougeL("", "anything").fmeasure).toBe(0);
    expect(rougeL("anything", "...!").fmeasure).toBe(0); // no tokens after cleaning
    expect(rougeL("one two", "three four").fmeasure).toBe(0);
    expect(rougeTokens("It's 3:45pm — café ÉTÉ")).toEqual(["it", "s", "3", "45pm", "caf", "t"]);
    expect(lcsLength(["a", "b", "c", "b", "d", "a", "b"], ["b", "d", "c", "a", "b", "a"])).toBe(4); // CLRS example
  });

  it("matches an independent Python implementation on 400 random pairs, bit for bit", () => {
    if (!requireTool("python3", hasTool(DEBIAN_PYTHON))) return;
    const rng = new Rng(7);
    const vocab = ["the", "The", "cat", "CAT.", "sat", "on", "mat", "a", "dog's", "İstanbul", "ΣΟΦΟΣ", "straße", "Kelvin", "ǅ", "１２", "x-ray", "3.14", "--", "\u00a0", "naïve", "co-op", "U.S.", "\t", "\n"];
    const sentence = () => Array.from({ length: rng.int(14) }, () => vocab[rng.int(vocab.length)]).join(rng.int(3) === 0 ? "" : " ");
    const pairs = Array.from({ length: 400 }, () => ({ target: sentence(), prediction: sentence() }));
    const out = execFileSync(DEBIAN_PYTHON, [path.join(__dirname, "rouge_peer.py")], { input: pairs.map((p) => JSON.stringify(p)).join("\n") + "\n" })
      .toString("utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { p: number; r: number; f: number; tokens: string[] });
    for (let i = 0; i < pairs.length; i++) {
      const s = rougeL(pairs[i].target, pairs[i].prediction);
      expect(rougeTokens(pairs[i].prediction), `pair ${i} tokens`).toEqual(out[i].tokens);
      expect([s.precision, s.recall, s.fmeasure], `pair ${i}`).toEqual([out[i].p, out[i].r, out[i].f]);
    }
  });
});

describe("tune score", () => {
  const tmp = () => mkdtempSync(path.join(os.tmpdir(), "tune-score-"));

  it("mean ROUGE-L F over items and accuracy over labelled items", async () => {
    const dir = tmp();
    const f = path.join(dir, "p.jsonl");
    writeFileSync(
      f,
      [
        { prediction: "The quick brown dog jumps on the log.", reference: "The quick brown fox jumps over the lazy dog" },
        { prediction: "a b c", reference: "a b c" },
        { prediction: "Positive.", reference: "positive", label: "positive" },
        { prediction: "negative, clearly", reference: "positive", label: "positive" },
      ]
        .map((r) => JSON.stringify(r))
        .join("\n") + "\n",
    );
    const r = await runCli(["tune", "score", "--predictions", f, "--json"]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.n).toBe(4);
    expect(s.rougeL).toBeCloseTo((0.5882352941176471 + 1 + 1 + 0) / 4, 15);
    expect(s.accuracy).toBe(0.5);
    expect(s.labelled).toBe(2);
  }, 120_000);

  it("bad lines are counted with their line; --strict exits 3; an empty file fails", async () => {
    const dir = tmp();
    const f = path.join(dir, "p.jsonl");
    writeFileSync(f, ['{"prediction":"a","reference":"a"}', '{"prediction":"a"}', '{"reference":"a"}', "{oops"].join("\n") + "\n");
    const r = await runCli(["tune", "score", "--predictions", f, "--json"]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect([s.n, s.rougeL, s.badInput.total]).toEqual([1, 1, 3]);
    expect(s.badInput.examples.map((e: { line: number; reason: string }) => `${e.line}:${e.reason}`).sort()).toEqual(["2:missing_reference", "3:missing_text", "4:invalid_json"]);
    const strict = await runCli(["tune", "score", "--predictions", f, "--strict"]);
    expect(strict.code).toBe(3);
    const empty = path.join(dir, "e.jsonl");
    writeFileSync(empty, "");
    const e = await runCli(["tune", "score", "--predictions", empty]);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/no scorable records/);
  }, 120_000);
});
