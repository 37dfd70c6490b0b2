/**
 * predict as a library: the pipelines run without the CLI, with their defaults, and write the
 * report as their last step.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { MT19937 } from "../../src/models/gbdt/mt19937.js";
import { runPredictCard, runPredictCv, runPredictSweep } from "../../src/pipelines/predict/index.js";

let dir: string;

/** 50 models where code % raises accuracy; every value is a plain number. */
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "dt-predict-lib-"));
  const rng = new MT19937(5);
  const models = ["id,params,tokens,percentage_code"];
  const results = ["id,benchmark,setting,metric,value"];
  for (let i = 0; i < 50; i++) {
    const params = Math.round(1e8 * Math.exp(rng.random() * 5));
    const tokens = Math.round(20 + rng.random() * 2000);
    const code = Math.round(rng.random() * 40);
    models.push(`m${i},${params},${tokens},${code}`);
    const acc = 0.05 + 0.03 * Math.log(params / 1e8) + 0.02 * Math.log(tokens) + 0.004 * code + 0.01 * (rng.random() - 0.5);
    results.push(`m${i},toy,0-shot,accuracy,${acc.toFixed(5)}`);
  }
  writeFileSync(path.join(dir, "models.csv"), models.join("\n") + "\n");
  writeFileSync(path.join(dir, "results.csv"), results.join("\n") + "\n");
});

describe("predict pipelines (library)", () => {
  it("runPredictCv({ db, benchmark }) runs the protocol with the documented defaults: 5 seeds, every feature", async () => {
    const r = await runPredictCv({ db: dir, benchmark: ["toy"] });
    expect(r.results).toHaveLength(1);
    const cv = r.results[0];
    expect(cv).toMatchObject({ benchmark: "toy", setting: "0-shot", metric: "accuracy", n: 50, seeds: 5, features: ["params", "tokens", "percentage_code"] });
    expect(cv.per_seed.full).toHaveLength(5);
    expect(cv.mae_full).toBeLessThan(cv.mae_scale_only);
    expect(r.reportPath).toBeUndefined();
  });

  it("runPredictCard takes a card object; the interval covers 90% by default and the contributions add up", async () => {
    const card = { id: "plan", params: 1.3e9, tokens: 300, fields: { percentage_code: 20 } };
    const r = await runPredictCard({ db: dir, benchmark: ["toy"], card, seeds: 2 });
    const p = r.predictions[0];
    expect(p.coverage).toBe(0.9);
    expect(p.interval[0]).toBeLessThan(p.prediction);
    expect(p.interval[1]).toBeGreaterThan(p.prediction);
    const sum = p.contributions.reduce((s, c) => s + c.shap, p.base_value);
    expect(sum).toBeCloseTo(p.prediction, 4);
    expect(r.sweeps).toEqual([]);
  });

  it("runPredictSweep ends with the report when one is asked for", async () => {
    const report = path.join(dir, "sweep.html");
    const logs: string[] = [];
    const card = { id: "plan", params: 1.3e9, tokens: 300, fields: { percentage_code: 20 } };
    const r = await runPredictSweep({ db: dir, benchmark: ["toy"], card, seeds: 2, vary: "percentage_code=0..40:10", report, log: (m) => logs.push(m) });
    expect(r.sweeps[0].points.map((x) => x.value)).toEqual([0, 10, 20, 30, 40]);
    expect(r.reportPath).toBe(report);
    expect(existsSync(report)).toBe(true);
    expect(readFileSync(report, "utf8")).toContain("Sweep: percentage_code");
    expect(logs).toContain(`report: ${report}`);
  });
});
