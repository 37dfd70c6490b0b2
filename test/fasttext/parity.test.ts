/**
 * Parity with Debian's fastText 0.9.2 in both directions, on data the implementation was
 * not tuned on (cooking.valid, AG News test): same labels and probabilities (1e-4), byte
 * round trips, .ftz reading, and .ftz writing.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { hasTool, requireTool } from "../helpers/system.js";
import { runCli } from "../helpers/cli.js";
import { FastText } from "../../src/backends/fasttext/index.js";
import { IntBuffer } from "../../src/models/fasttext/index.js";
import { COOKING_TRAIN, COOKING_VALID, FASTTEXT_BIN, agNews, fasttext, parsePredictions, tempDir } from "./data.js";

const present = requireTool("fasttext", hasTool(FASTTEXT_BIN));

type Preds = Array<Array<{ label: string; prob: number }>>;

/** Same labels in the same order, probabilities within tol; near-ties may swap order. */
function expectSamePredictions(ours: Preds, theirs: Preds, tol = 1e-4): void {
  expect(ours.length).toBe(theirs.length);
  let bad = 0;
  const examples: string[] = [];
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i];
    const b = theirs[i];
    let ok = a.length === b.length;
    for (let j = 0; ok && j < a.length; j++) {
      if (Math.abs(a[j].prob - b[j].prob) > tol) ok = false;
      if (a[j].label !== b[j].label && Math.abs(a[j].prob - b[j].prob) > tol / 10) {
        // a near tie: the same label must appear with the same probability at a neighbouring rank
        const other = b.find((x) => x.label === a[j].label);
        if (!other || Math.abs(other.prob - a[j].prob) > tol) ok = false;
      }
    }
    if (!ok) {
      bad++;
      if (examples.length < 3) examples.push(`line ${i + 1}: ours ${JSON.stringify(a)} fastText ${JSON.stringify(b)}`);
    }
  }
  expect(bad, examples.join("\n")).toBe(0);
}

function validLines(file: string): string[] {
  return readFileSync(file, "utf8").split("\n").slice(0, -1);
}

function ourPredictions(ft: FastText, lines: string[], k: number): Preds {
  return lines.map((l) => ft.predict(l, k));
}

describe.skipIf(!present)("parity with fastText 0.9.2", () => {
  let dir: string;
  let train: string;
  const valid = COOKING_VALID;
  let lines: string[];

  beforeAll(() => {
    dir = tempDir();
    train = path.join(dir, "cooking.small");
    writeFileSync(train, readFileSync(COOKING_TRAIN, "utf8").split("\n").slice(0, 4000).join("\n") + "\n");
    lines = validLines(valid);
  });

  const variants: Array<{ name: string; flags: string[] }> = [
    { name: "softmax, word bigrams, char n-grams", flags: ["-loss", "softmax", "-wordNgrams", "2", "-minn", "3", "-maxn", "5", "-bucket", "200000"] },
    { name: "one-vs-all", flags: ["-loss", "ova", "-wordNgrams", "2", "-bucket", "100000"] },
    { name: "hierarchical softmax", flags: ["-loss", "hs"] },
    { name: "negative sampling", flags: ["-loss", "ns", "-neg", "3"] },
  ];

  for (const v of variants) {
    it(`reads a fastText model (${v.name}): same bytes back, same predictions`, () => {
      const out = path.join(dir, `ft-${v.flags[1]}`);
      fasttext(["supervised", "-input", train, "-output", out, "-thread", "1", "-epoch", "5", "-lr", "0.5", "-dim", "32", "-verbose", "0", ...v.flags]);
      const bin = readFileSync(out + ".bin");
      const ft = FastText.fromBuffer(bin);
      expect(Buffer.from(ft.toBuffer()).equals(bin)).toBe(true);
      const theirs = parsePredictions(fasttext(["predict-prob", out + ".bin", valid, "3"]));
      expectSamePredictions(ourPredictions(ft, lines, 3), theirs);
      // probability() is what predict-prob prints for that label
      for (let i = 0; i < 50; i++) for (const p of theirs[i]) expect(Math.abs(ft.probability(lines[i], p.label) - p.prob)).toBeLessThan(1e-4);
    });
  }

  it("computes char n-gram word vectors as fastText does (UTF-8, OOV words)", () => {
    const out = path.join(dir, "ft-softmax");
    const ft = FastText.fromBuffer(readFileSync(out + ".bin"));
    const words = ["bread", "crème", "brûlée", "日本語", "zzqx", "a", "</s>", "ça-va?"];
    const theirs = fasttext(["print-word-vectors", out + ".bin"], words.join("\n") + "\n").split("\n").slice(0, -1);
    const m = ft.model;
    const rows = new IntBuffer(64);
    for (let i = 0; i < words.length; i++) {
      const [w, ...vals] = theirs[i].trim().split(" ");
      expect(w).toBe(words[i]);
      const b = new TextEncoder().encode(words[i]);
      rows.clear();
      m.dict.addSubwords(rows, b, 0, b.length, m.dict.getId(b, 0, b.length));
      const v = new Float32Array(m.args.dim);
      for (let k = 0; k < rows.len; k++) m.input.addRowToVector(v, rows.data[k]);
      if (rows.len) for (let j = 0; j < v.length; j++) v[j] *= Math.fround(1 / rows.len);
      expect(vals.length).toBe(m.args.dim);
      for (let j = 0; j < v.length; j++) expect(Math.abs(v[j] - Number(vals[j]))).toBeLessThan(2e-5 + 1e-4 * Math.abs(v[j]));
    }
  });

  it("writes models fastText loads and predicts identically", async () => {
    const ft = await FastText.train({ thread: 1, seed: 1, epoch: 5, lr: 0.5, dim: 32, wordNgrams: 2, minn: 2, maxn: 4, bucket: 100000 }, train);
    const file = path.join(dir, "ours.bin");
    await ft.saveFile(file);
    const theirs = parsePredictions(fasttext(["predict-prob", file, valid, "2"]));
    expectSamePredictions(ourPredictions(ft, lines, 2), theirs);
    const t = fasttext(["test", file, valid]);
    const r = await ft.test(valid);
    expect(t).toContain(`N\t${r.n}\n`);
    expect(t).toContain(`P@1\t${Number(r.precision.toPrecision(3))}`);
  });

  it("reads .ftz files that fastText quantized (qnorm, qout, cutoff)", () => {
    const out = path.join(dir, "ft-softmax");
    fasttext(["quantize", "-output", out, "-input", train, "-qnorm", "-qout", "-cutoff", "5000", "-verbose", "0"]);
    const ft = FastText.fromBuffer(readFileSync(out + ".ftz"));
    expect(ft.quantized).toBe(true);
    expect(Buffer.from(ft.toBuffer()).equals(readFileSync(out + ".ftz"))).toBe(true);
    const theirs = parsePredictions(fasttext(["predict-prob", out + ".ftz", valid, "3"]));
    expectSamePredictions(ourPredictions(ft, lines, 3), theirs);
  });

  it("quantizes into .ftz files that fastText reads", async () => {
    const src = path.join(dir, "ft-ova");
    const ft = FastText.fromBuffer(readFileSync(src + ".bin"));
    const q = await ft.quantize({ cutoff: 3000, qnorm: true, dsub: 2 });
    const file = path.join(dir, "ours.ftz");
    await q.saveFile(file);
    const theirs = parsePredictions(fasttext(["predict-prob", file, valid, "2"]));
    expectSamePredictions(ourPredictions(q, lines, 2), theirs);
    // quantization keeps the classifier useful
    const full = await ft.test(valid);
    const small = await q.test(valid);
    expect(small.precision).toBeGreaterThan(full.precision - 0.05);
  });

  it("reaches fastText's P@1 at the same hyperparameters (AG News, held-out test set)", async () => {
    const ag = agNews(dir, 6000);
    const flags = { thread: 1, epoch: 5, lr: 0.5, dim: 50, wordNgrams: 2, bucket: 200000 };
    const out = path.join(dir, "ag-ft");
    fasttext(["supervised", "-input", ag.train, "-output", out, "-thread", "1", "-epoch", "5", "-lr", "0.5", "-dim", "50", "-wordNgrams", "2", "-bucket", "200000", "-verbose", "0"]);
    const theirs = Number(/P@1\t([\d.]+)/.exec(fasttext(["test", out + ".bin", ag.valid]))![1]);
    const ours = (await (await FastText.train(flags, ag.train)).test(ag.valid)).precision;
    expect(theirs).toBeGreaterThan(0.8);
    expect(Math.abs(ours - theirs)).toBeLessThan(0.01);
    // two threads: Hogwild input rows, per-thread output rows merged every few examples
    // (softmax and ova), shared output rows (hs); the same quality either way
    for (const loss of ["softmax", "ova", "hs"] as const) {
      const two = (await (await FastText.train({ ...flags, loss, thread: 2 }, ag.train)).test(ag.valid)).precision;
      expect(Math.abs(two - theirs), loss).toBeLessThan(0.015);
    }
  });

  it("`datatailor fasttext test` and `predict-prob` print what fastText prints", async () => {
    const out = path.join(dir, "ft-cli");
    fasttext(["supervised", "-input", train, "-output", out, "-thread", "1", "-epoch", "3", "-dim", "16", "-loss", "ova", "-verbose", "0"]);
    const model = out + ".bin";
    const head = lines.slice(0, 200).join("\n") + "\n";
    const small = path.join(dir, "valid200.txt");
    writeFileSync(small, head);
    const t = await runCli(["fasttext", "test", model, small, "2"]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toBe(fasttext(["test", model, small, "2"]));
    const p = await runCli(["fasttext", "predict", model, "-", "2", "0.01"], { input: head });
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toBe(fasttext(["predict", model, "-", "2", "0.01"], head));
  });
});
