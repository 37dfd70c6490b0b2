/**
 * `fasttext test-label` and `fasttext print-sentence-vectors`: byte-identical to Debian's
 * fastText 0.9.2 on a model it trained (with word n-grams and subwords) and on its quantized
 * .ftz, over cooking.valid lines the model never saw. The --json form of test-label carries the
 * real per-label recall, checked against counts made here from the predictions.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { hasTool, requireTool } from "../helpers/system.js";
import { runCli } from "../helpers/cli.js";
import { COOKING_TRAIN, COOKING_VALID, FASTTEXT_BIN, tempDir } from "./data.js";

const present = requireTool("fasttext", hasTool(FASTTEXT_BIN));
const dir = tempDir("dt-ft-label-");
const model = path.join(dir, "m");
const valid = path.join(dir, "valid.txt");
const sentences = path.join(dir, "sentences.txt");

const ft = (args: string[], input?: string) => execFileSync(FASTTEXT_BIN, args, { input, encoding: "utf8", maxBuffer: 1 << 28 });

describe.skipIf(!present)("fasttext test-label and print-sentence-vectors: parity with fastText 0.9.2", () => {
  beforeAll(() => {
    ft(["supervised", "-input", COOKING_TRAIN, "-output", model, "-dim", "24", "-epoch", "5", "-wordNgrams", "2", "-minn", "3", "-maxn", "5", "-bucket", "200000", "-thread", "1", "-verbose", "0"]);
    ft(["quantize", "-input", COOKING_TRAIN, "-output", model, "-qnorm", "-verbose", "0"]);
    const lines = readFileSync(COOKING_VALID, "utf8").split("\n").slice(0, 600);
    writeFileSync(valid, lines.join("\n") + "\n");
    // labels inside sentences are left out; a blank line is </s> alone; the last line has no newline
    writeFileSync(sentences, [...lines.slice(0, 200), "", "__label__baking how long to proof bread dough", "unfinished last line"].join("\n"));
  }, 180_000);

  for (const ext of [".bin", ".ftz"]) {
    for (const extra of [[], ["3", "0.05"], ["-1", "0.2"]]) {
      it(`test-label ${ext} ${extra.join(" ")}`.trim(), async () => {
        const theirs = ft(["test-label", model + ext, valid, ...extra]);
        const ours = await runCli(["fasttext", "test-label", model + ext, valid, ...extra]);
        expect(ours.code, ours.stderr).toBe(0);
        expect(ours.stdout).toBe(theirs);
      }, 60_000);
    }

    it(`print-sentence-vectors ${ext}`, async () => {
      const input = readFileSync(sentences, "utf8");
      const theirs = ft(["print-sentence-vectors", model + ext], input);
      const ours = await runCli(["fasttext", "print-sentence-vectors", model + ext], { input });
      expect(ours.code, ours.stderr).toBe(0);
      expect(ours.stdout.split("\n").length).toBe(204);
      expect(ours.stdout).toBe(theirs);
    }, 60_000);
  }

  it("test-label --json gives the real per-label recall (counted here from predictions)", async () => {
    const r = await runCli(["fasttext", "test-label", model + ".bin", valid, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { n: number; labels: Array<{ label: string; recall: number | null; precision: number | null; gold: number; predicted: number; correct: number }> };
    const preds = ft(["predict", model + ".bin", valid]).split("\n").slice(0, -1);
    const gold = new Map<string, number>();
    const correct = new Map<string, number>();
    const lines = readFileSync(valid, "utf8").split("\n").slice(0, -1);
    let i = 0;
    for (const line of lines) {
      const labels = line.split(" ").filter((w) => w.startsWith("__label__"));
      const words = line.split(" ").filter((w) => w && !w.startsWith("__label__"));
      if (!labels.length || !words.length) continue;
      const p = preds[i++]!;
      for (const l of labels) gold.set(l, (gold.get(l) ?? 0) + 1);
      if (labels.includes(p)) correct.set(p, (correct.get(p) ?? 0) + 1);
    }
    expect(i).toBe(j.n);
    for (const l of j.labels) {
      expect(l.gold).toBe(gold.get(l.label) ?? 0);
      expect(l.correct).toBe(correct.get(l.label) ?? 0);
      if (l.gold) expect(l.recall).toBeCloseTo(l.correct / l.gold, 12);
      else expect(l.recall).toBeNull();
    }
  }, 60_000);
});
