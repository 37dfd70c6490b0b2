/**
 * ARPA parity with KenLM: models trained here on the text KenLM's lmplz was given must list the
 * same n-grams with the same log10 probabilities and backoffs (within 1e-4) as the reference
 * ARPA files lmplz wrote (../shared/data/lm/kenlm-shakespeare, made by KenLM itself).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { trainNgram } from "../../src/models/ngram/train.js";
import { arpaChunks } from "../../src/models/ngram/arpa-write.js";
import { DiscountError, fallbackDiscount } from "../../src/models/ngram/discount.js";
import { SHARED_DATA } from "../helpers/cli.js";
import { readArpaText, type ArpaEntries } from "./ngram-arpa-text.js";

const REF = path.join(SHARED_DATA, "lm/kenlm-shakespeare");

function trainToText(file: string | Buffer, order: number, fallback = false, prune?: number[]): string {
  const m = trainNgram(typeof file === "string" ? readFileSync(file) : file, { order, fallback: fallback ? fallbackDiscount() : undefined, prune });
  return Buffer.concat([...arpaChunks(m.trie, m.estimate, m.vocab)]).toString("utf8");
}

function compare(ref: ArpaEntries, ours: ArpaEntries): { missing: string[]; extra: string[]; worst: number; worstKey: string } {
  const missing = [...ref.entries.keys()].filter((k) => !ours.entries.has(k));
  const extra = [...ours.entries.keys()].filter((k) => !ref.entries.has(k));
  let worst = 0;
  let worstKey = "";
  for (const [k, r] of ref.entries) {
    const o = ours.entries.get(k);
    if (!o) continue;
    const d = Math.max(Math.abs(r.prob - o.prob), Math.abs(r.backoff - o.backoff));
    if (d > worst) {
      worst = d;
      worstKey = k;
    }
  }
  return { missing, extra, worst, worstKey };
}

describe("lm train matches lmplz", () => {
  for (const order of [3, 5]) {
    it(`order ${order} on Tiny Shakespeare: every n-gram, probability and backoff`, () => {
      const ref = readArpaText(path.join(REF, `shakespeare.o${order}.arpa.gz`));
      const ours = readArpaText(trainToText(path.join(REF, "train.txt"), order), true);
      expect(ours.counts).toEqual(ref.counts);
      const c = compare(ref, ours);
      expect(c.missing).toEqual([]);
      expect(c.extra).toEqual([]);
      expect(c.worst, `worst at ${c.worstKey}`).toBeLessThan(1e-4);
      // the special entries: <s> never predicted (log10 1 = 0), <unk> from the interpolation mass
      expect(ours.entries.get("1|<s>")!.prob).toBe(0);
      expect(ours.entries.get("1|<unk>")!.prob).toBeCloseTo(ref.entries.get("1|<unk>")!.prob, 4);
    });
  }

  it("--discount-fallback on a tiny text: lmplz's 0.5 / 1 / 1.5 substitutes", () => {
    const ref = readArpaText(path.join(REF, "tiny.o3.discount_fallback.arpa"));
    const ours = readArpaText(trainToText(path.join(REF, "tiny.txt"), 3, true), true);
    const c = compare(ref, ours);
    expect(ours.counts).toEqual(ref.counts);
    expect(c.missing).toEqual([]);
    expect(c.extra).toEqual([]);
    expect(c.worst).toBeLessThan(1e-4);
  });

  it("--prune 0 1 1 2 (order 4): the same surviving n-grams, probabilities and backoffs as lmplz --prune", () => {
    // lmplz's output for the first 6,000 lines of train.txt (ngram-fixtures/SOURCE.txt)
    const ref = readArpaText(fileURLToPath(new URL("./ngram-fixtures/train6000.o4.prune-0-1-1-2.arpa.gz", import.meta.url)));
    const text = readFileSync(path.join(REF, "train.txt"), "utf8").split("\n").slice(0, 6000).join("\n") + "\n";
    const ours = readArpaText(trainToText(Buffer.from(text), 4, false, [0, 1, 1, 2]), true);
    expect(ref.counts).toEqual([7982, 3716, 1225, 55]);
    expect(ours.counts).toEqual(ref.counts);
    const c = compare(ref, ours);
    expect(c.missing).toEqual([]);
    expect(c.extra).toEqual([]);
    expect(c.worst).toBeLessThan(1e-4);
  });

  it("without --discount-fallback the tiny text fails as lmplz does", () => {
    const text = readFileSync(path.join(REF, "tiny.txt"));
    expect(() => trainNgram(text, { order: 3 })).toThrow(DiscountError);
    expect(() => trainNgram(text, { order: 3 })).toThrow(/Kneser-Ney discounts for 2-grams.*--discount-fallback/);
  });
});
