/**
 * `datatailor fasttext ...`: fastText's flags and output formats, --json, errors and exit
 * codes. Most cases call the command in-process (spawning the whole CLI costs seconds each);
 * stdin and exit codes are checked through a real process.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runCli } from "../helpers/cli.js";
import { runFasttext } from "../../src/cli/fasttext.js";
import { UserError } from "../../src/util/errors.js";
import { tempDir } from "./data.js";

/** Runs the command in this process, capturing what it writes. */
async function capture(argv: string[]): Promise<{ stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string | Uint8Array) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => (err.push(String(s)), true)) as typeof process.stderr.write;
  try {
    await runFasttext(argv);
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
  return { stdout: out.join(""), stderr: err.join("") };
}

describe("datatailor fasttext CLI", () => {
  let dir: string;
  let train: string;
  let valid: string;
  let model: string;
  beforeAll(async () => {
    dir = tempDir("dt-ft-cli-");
    const rows: string[] = [];
    const a = ["apple", "pear", "plum", "fig"];
    const b = ["car", "bus", "train", "bike"];
    for (let i = 0; i < 300; i++) {
      const pos = i % 2 === 0;
      const w = pos ? a : b;
      rows.push(`__label__${pos ? "fruit" : "vehicle"} ${w[i % 4]} and ${w[(i * 7) % 4]} ${i % 3 === 0 ? "today" : "here"}`);
    }
    train = path.join(dir, "train.txt");
    valid = path.join(dir, "valid.txt");
    model = path.join(dir, "m.bin");
    writeFileSync(train, rows.join("\n") + "\n");
    writeFileSync(valid, "__label__fruit apple and fig\n__label__vehicle bus and car\n__label__fruit pear and plum here\n");
    process.env.DATATAILOR_NO_PROGRESS = "1";
    const r = await capture(["supervised", "-input", train, "-output", path.join(dir, "m"), "-thread", "1", "-epoch", "10", "-lr", "0.5", "-dim", "10", "-wordNgrams", "2", "-bucket", "1000", "-seed", "2"]);
    expect(r.stderr).toMatch(/Number of labels: 2/);
    // fastText's order and line shape: counts first, then the progress line with its widths
    expect(r.stderr.indexOf("Number of labels")).toBeLessThan(r.stderr.indexOf("Progress:"));
    expect(r.stderr).toMatch(/Progress: 100\.0% words\/sec\/thread: {1,7}\d+ lr: {2}0\.000000 avg\.loss: +\d+\.\d{6} ETA: {3}0h 0m 0s\n/);
  });

  it("supervised writes <output>.bin and <output>.vec", () => {
    expect(existsSync(model)).toBe(true);
    const vec = readFileSync(path.join(dir, "m.vec"), "utf8").split("\n");
    expect(vec[0]).toMatch(/^\d+ 10$/);
    expect(vec[1].trim().split(" ")).toHaveLength(11);
  });

  it("test prints N / P@k / R@k, and --json", async () => {
    expect((await capture(["test", model, valid])).stdout).toBe("N\t3\nP@1\t1\nR@1\t1\n");
    const j = await capture(["test", model, valid, "2", "--json"]);
    expect(JSON.parse(j.stdout)).toEqual({ n: 3, k: 2, threshold: 0, precision: 0.5, recall: 1 });
  });

  it("predict-prob prints k labels with probabilities; a threshold can empty a line", async () => {
    const lines = (await capture(["predict-prob", model, valid, "2"])).stdout.split("\n").slice(0, -1);
    expect(lines).toHaveLength(3);
    for (const l of lines) {
      expect(l).toMatch(/^__label__\w+ [\d.e-]+ __label__\w+ [\d.e-]+$/);
      const probs = l.split(" ").filter((_, i) => i % 2 === 1).map(Number);
      expect(probs[0]).toBeGreaterThanOrEqual(probs[1]);
      expect(probs[0] + probs[1]).toBeCloseTo(1, 3);
    }
    expect((await capture(["predict", model, valid])).stdout).toBe("__label__fruit\n__label__vehicle\n__label__fruit\n");
    expect((await capture(["predict-prob", model, valid, "2", "1.5"])).stdout).toBe("\n\n\n");
  });

  it("rejects bad flags as usage errors", async () => {
    const usage = (p: Promise<unknown>) => expect(p).rejects.toSatisfy((e) => e instanceof UserError && e.exitCode === 2);
    await usage(capture(["supervised", "-input", train, "-output", path.join(dir, "x"), "-nosuchflag", "1"]));
    await usage(capture(["supervised", "-input", train, "-output", path.join(dir, "x"), "-epoch", "five"]));
    await usage(capture(["supervised", "-input", train]));
    await usage(capture(["test", model]));
    await usage(capture(["predict", model, valid, "0"]));
    await usage(capture(["nope"]));
  });

  it("quantize writes <output>.ftz (with -cutoff and -retrain) that predicts like the model", async () => {
    await capture(["quantize", "-output", path.join(dir, "m"), "-input", train, "-cutoff", "300", "-retrain", "-qnorm", "-epoch", "2"]);
    const ftz = path.join(dir, "m.ftz");
    expect(readFileSync(ftz).length).toBeLessThan(readFileSync(model).length);
    expect((await capture(["test", ftz, valid])).stdout).toBe("N\t3\nP@1\t1\nR@1\t1\n");
  });

  it("--help describes the commands and flags", async () => {
    expect((await capture(["supervised", "--help"])).stdout).toMatch(/-wordNgrams/);
    expect((await capture(["--help"])).stdout).toMatch(/predict-prob/);
  });

  it("as a process: reads stdin, and fails with one line and exit code 1", async () => {
    const p = await runCli(["fasttext", "predict", model, "-"], { input: "apple fig\nbus car" });
    expect(p.code).toBe(0);
    expect(p.stdout).toBe("__label__fruit\n__label__vehicle\n");
    const garbage = path.join(dir, "garbage.bin");
    writeFileSync(garbage, "not a model at all");
    const bad = await runCli(["fasttext", "test", garbage, valid]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/garbage\.bin: not a fastText model/);
  });
});
