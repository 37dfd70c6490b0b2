import { describe, expect, it, beforeAll } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runFit, type FitRunOptions } from "../../src/pipelines/fit/run.js";
import { runBootstrap, type TaskData } from "../../src/pipelines/fit/tasks.js";
import { UserError } from "../../src/util/errors.js";
import { Rng } from "../../src/models/stats/rng.js";
import { checkMonotone } from "../../src/models/stats/monotone.js";
import { LAWS } from "../../src/models/laws/registry.js";
import { SHARED_DATA } from "../helpers/cli.js";

let dir = "";
const quiet = () => {};
function opts(file: string, over: Partial<FitRunOptions>): FitRunOptions {
  return {
    file,
    law: "power",
    x: ["tokens"],
    y: "loss",
    bootstrap: 0,
    bootstrapStarts: 2,
    seed: 1,
    level: 0.95,
    holdoutLargest: 0,
    predict: [],
    compute: [],
    threads: 1,
    dropMissing: false,
    dropHighest: 0,
    strict: false,
    log: quiet,
    progress: false,
    ...over,
  };
}

function csv(name: string, header: string, rows: Array<Array<number | string>>): string {
  const f = path.join(dir, name);
  writeFileSync(f, [header, ...rows.map((r) => r.join(","))].join("\n") + "\n");
  return f;
}

let powerCsv = "";
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "dt-fit-"));
  const rng = new Rng(3);
  const truth = { E: 2, A: 300, alpha: 0.3 };
  const rows = Array.from({ length: 14 }, (_, i) => {
    const t = Math.pow(10, 8 + i * 0.25);
    return [t, LAWS.power.predict(truth, [t]) * (1 + 0.002 * rng.normal())];
  });
  powerCsv = csv("power.csv", "tokens,loss", rows);
});

describe("runFit", () => {
  it("returns the documented JSON shape, with intervals and predictions", async () => {
    const { summary } = await runFit(opts(powerCsv, { bootstrap: 60, predict: [{ tokens: 1e12 }] }));
    for (const k of ["law", "params", "objective", "n", "ci", "predictions"]) expect(summary).toHaveProperty(k);
    expect(summary.law).toBe("power");
    expect(Object.keys(summary.params)).toEqual(["E", "A", "alpha"]);
    expect(summary.n).toBe(14);
    expect(Object.keys(summary.ci)).toEqual(["E", "A", "alpha"]);
    for (const [p, [lo, hi]] of Object.entries(summary.ci)) {
      expect(lo, p).toBeLessThanOrEqual(summary.params[p] * 1.0001);
      expect(hi, p).toBeGreaterThanOrEqual(summary.params[p] * 0.9999);
    }
    const pred = summary.predictions[0];
    expect(pred.x).toEqual({ tokens: 1e12 });
    expect(pred.y).toBeCloseTo(2 + 300 / Math.pow(1e12, 0.3), 1);
    // A prediction interval covers at least the confidence interval of the curve.
    expect(pred.pi![0]).toBeLessThanOrEqual(pred.ci![0]);
    expect(pred.pi![1]).toBeGreaterThanOrEqual(pred.ci![1]);
    expect(summary.alignment?.monotone).toBe(true);
    expect(summary.warnings).toEqual([]);
  });

  it("is reproducible under a seed and changes with it", async () => {
    const a = await runFit(opts(powerCsv, { bootstrap: 30, seed: 5 }));
    const b = await runFit(opts(powerCsv, { bootstrap: 30, seed: 5 }));
    const c = await runFit(opts(powerCsv, { bootstrap: 30, seed: 6 }));
    expect(a.summary.ci).toEqual(b.summary.ci);
    expect(a.summary.ci).not.toEqual(c.summary.ci);
  });

  it("holds out the largest runs and reports the extrapolation error on them", async () => {
    const { summary, plot } = await runFit(opts(powerCsv, { holdoutLargest: 3 }));
    expect(summary.n).toBe(11);
    const h = summary.holdout!;
    expect(h.points.map((p) => p.x.tokens)).toEqual([1e8 * Math.pow(10, 2.75), 1e11, 1e8 * Math.pow(10, 3.25)].map((v) => expect.closeTo(v, -6)));
    expect(h.points[0].where).toMatch(/power\.csv:13$/);
    expect(h.mape).toBeLessThan(0.01);
    expect(h.mae).toBeGreaterThan(0);
    expect(plot.points.filter((p) => p.heldOut)).toHaveLength(3);
  });

  it("warns when a downstream metric is not monotone in pretraining size (misaligned data)", async () => {
    // BLEU rises, then falls as pretraining grows (Isik et al.'s misaligned case).
    const bleu = [10, 14, 17, 19, 20, 18, 15, 13];
    const f = csv("bleu.csv", "tokens,bleu", bleu.map((b, i) => [Math.pow(10, 9 + i * 0.3), b]));
    const { summary } = await runFit(opts(f, { law: "loglaw", y: "bleu" }));
    expect(summary.alignment!.monotone).toBe(false);
    expect(summary.warnings.join(" ")).toMatch(/bleu is not monotone in tokens.*misaligned/);
    await expect(runFit(opts(f, { law: "loglaw", y: "bleu", strict: true }))).rejects.toMatchObject({ exitCode: 3 });
  });

  it("fails with file:line and column for missing values, bad logs and too few points", async () => {
    const nan = csv("nan.csv", "tokens,loss", [[1e8, 3], [1e9, 2.8], ["", 2.6], [1e11, 2.5], [1e12, 2.4]]);
    await expect(runFit(opts(nan, {}))).rejects.toThrow(/nan\.csv:4: tokens is missing/);
    const dropped = await runFit(opts(nan, { dropMissing: true }));
    expect(dropped.summary.n).toBe(4);
    expect(dropped.summary.warnings[0]).toMatch(/dropped 1 row.*nan\.csv:4/);
    const zero = csv("zero.csv", "tokens,loss", [[1e8, 3], [0, 2.8], [1e10, 2.6], [1e11, 2.5], [1e12, 2.4]]);
    await expect(runFit(opts(zero, {}))).rejects.toThrow(/zero\.csv:3: tokens = 0 but law 'power' takes its logarithm/);
    const few = csv("few.csv", "tokens,loss", [[1e8, 3], [1e9, 2.8], [1e10, 2.6]]);
    await expect(runFit(opts(few, {}))).rejects.toThrow(/too few points for law 'power'.*needs at least 4 points, got 3/);
    await expect(runFit(opts(powerCsv, { y: "accuracy" }))).rejects.toThrow(/no column 'accuracy' \(columns: tokens, loss\)/);
    const err = await runFit(opts(nan, {})).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
  });

  it("fits a user formula and a sigmoid from the same file format", async () => {
    const { summary } = await runFit(opts(powerCsv, { law: "E + A/x^alpha", starts: undefined } as Partial<FitRunOptions>));
    expect(summary.params.alpha).toBeCloseTo(0.3, 1);
    const accCsv = csv(
      "acc.csv",
      "loss,acc",
      Array.from({ length: 20 }, (_, i) => {
        const l = 2 + i * 0.08;
        return [l, LAWS.sigmoid.predict({ c: 0.25, d: 0.05, k: 5, x0: 2.7 }, [l])];
      }),
    );
    const s = await runFit(opts(accCsv, { law: "sigmoid", x: ["loss"], y: "acc" }));
    expect(s.summary.params.x0).toBeCloseTo(2.7, 2);
    expect(s.summary.alignment).toBeNull();
  });
});

describe("bootstrap tasks", () => {
  it("give the same draws however the resample range is split across threads", () => {
    const rng = new Rng(9);
    const x = Float64Array.from({ length: 12 }, (_, i) => Math.pow(10, 8 + i * 0.3));
    const y = Float64Array.from(x, (t) => (2 + 300 / Math.pow(t, 0.3)) * (1 + 0.003 * rng.normal()));
    const task: TaskData = { law: { spec: "power", inputs: ["x"] }, x: [x], y, delta: 1e-3 };
    const starts = [Float64Array.from([6, 0.7, 0.3])];
    const whole = runBootstrap(task, starts, 42, 0, 10);
    const a = runBootstrap(task, starts, 42, 0, 4);
    const b = runBootstrap(task, starts, 42, 4, 10);
    expect(Array.from(whole.theta)).toEqual([...a.theta, ...b.theta]);
  });
});

describe("monotonicity check", () => {
  it("accepts noisy but steadily improving points and flags a slow slide", () => {
    expect(checkMonotone([1, 2, 3, 4, 5, 6], [5, 4.2, 4.25, 3.5, 3.1, 3.0]).monotone).toBe(true);
    const slide = checkMonotone([1, 2, 3, 4, 5, 6, 7], [1, 5, 9, 8.4, 7.8, 7.2, 6.6]);
    expect(slide.monotone).toBe(false);
    expect(slide.reversals[0]).toMatchObject({ fromX: 3 });
  });
});

describe("downstream metrics (ObsScaling evaluations, Ruan et al. 2024)", () => {
  const OBS = `${SHARED_DATA}/scaling/obsscaling/base_llm_benchmark_eval.csv`;
  it("filters a family with --where and flags MMLU stalling at chance for Pythia", async () => {
    const { summary } = await runFit(opts(OBS, { law: "loglinear", x: ["FLOPs (1E21)"], y: "MMLU", where: ["Model Family=Pythia"] }));
    expect(summary.n).toBe(8);
    expect(summary.alignment!.monotone).toBe(false);
    expect(summary.warnings.join(" ")).toMatch(/MMLU is not monotone in FLOPs \(1E21\)/);
    await expect(runFit(opts(OBS, { law: "loglinear", x: ["FLOPs (1E21)"], y: "MMLU" }))).rejects.toThrow(/base_llm_benchmark_eval\.csv:14: FLOPs \(1E21\) is missing/);
  });
});
