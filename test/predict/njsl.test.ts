import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { SHARED_DATA } from "../helpers/cli.js";
import { DEBIAN_PYTHON, hasTool, requireTool } from "../helpers/system.js";
import { aggregatedBenchmark, importNjsl } from "../../src/pipelines/predict/njsl.js";
import type { ModelDb } from "../../src/pipelines/predict/db.js";
import { encodeRows, makeEncoder, taskData } from "../../src/pipelines/predict/features.js";
import { designMatrix, leastSquares, looAbsErrors } from "../../src/models/linalg/lstsq.js";
import { medianLooAbsErrors } from "../../src/models/linalg/median.js";
import { baselineSeed } from "../../src/pipelines/predict/cv.js";

const NJSL = path.join(SHARED_DATA, "scaling/njsl");
const SETTING: Record<string, string> = { arc_challenge: "25-shot", hellaswag: "10-shot", winogrande: "5-shot", gsm8k: "5-shot", "mmlu_5-shot": "5-shot" };
const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, x) => s + x, 0) / a.length;

let db: ModelDb;
beforeAll(async () => {
  db = await importNjsl(NJSL);
});

describe("Not-Just-Scaling import", () => {
  it("maps benchmark parts as the authors do", () => {
    expect(aggregatedBenchmark("mmlu_anatomy", "5-shot")).toBe("mmlu_5-shot");
    expect(aggregatedBenchmark("lambada_openai", "0-shot")).toBe("lambada");
    expect(aggregatedBenchmark("anli_r2", "0-shot")).toBe("anli");
    expect(aggregatedBenchmark("xnli_sw", "0-shot")).toBe("xnli");
    expect(aggregatedBenchmark("truthfulqa_mc2", "0-shot")).toBe("truthfulqa");
    expect(aggregatedBenchmark("arc_challenge", "0-shot")).toBeNull(); // not the default shot
    expect(aggregatedBenchmark("arithmetic_2da", "5-shot")).toBeNull();
  });

  it("reproduces the 92-model set with accuracy scores", () => {
    const withAcc = new Set(db.results.filter((r) => r.metric === "accuracy").map((r) => r.id));
    expect(withAcc.size).toBe(92);
    expect(new Set(db.results.filter((r) => r.metric === "brier_score").map((r) => r.id)).size).toBe(82);
    expect(withAcc.has("meta-llama/Llama-2-70b-chat-hf")).toBe(false); // instruction-tuned
    expect(withAcc.has("meta-llama/Llama-2-13b-hf")).toBe(true);
    expect(db.excluded.some((s) => s.includes("instruction-tuned"))).toBe(true);
    expect(db.skipped).toEqual([]);
  });

  it.skipIf(!requireTool("python3", hasTool(DEBIAN_PYTHON)))("has the same model ids as an independent reading of the authors' query", () => {
    // m JOIN d JOIN e WHERE total_params, tokens not null, metric = accuracy, not instruction-tuned
    const py = `
import csv, sys, os
d = sys.argv[1]
ann = {r["id"]: r for r in csv.DictReader(open(os.path.join(d, "model_annotations.csv")))}
info = {r["id"]: r for r in csv.DictReader(open(os.path.join(d, "dataset_info.csv")))}
ev = {r["id"] for r in csv.DictReader(open(os.path.join(d, "evaluation_results.csv"))) if r["metric"] == "accuracy"}
ids = sorted(i for i, r in ann.items() if r["total_params"] != "" and i in info and info[i]["pretraining_summary_total_tokens_billions"] != "" and r["is_instruction_tuned"] != "true" and i in ev)
print("\\n".join(ids))`;
    const ref = execFileSync(DEBIAN_PYTHON, ["-c", py, NJSL]).toString().trim().split("\n");
    const mine = [...new Set(db.results.filter((r) => r.metric === "accuracy").map((r) => r.id))].sort();
    expect(mine).toEqual(ref);
  });

  it("averages MMLU subjects and LAMBADA variants per model", () => {
    const id = "EleutherAI/pythia-410m-deduped";
    const rows = readFileSync(path.join(NJSL, "evaluation_results.csv"), "utf8").split("\n").map((l) => l.split(","));
    // this model's subjects are named hendrycksTest-<subject>; the first row per subject counts
    const bySubject = new Map<string, number>();
    for (const r of rows) {
      if (r[0] !== id || r[2] !== "5-shot" || r[3] !== "accuracy") continue;
      const subject = r[1].startsWith("hendrycksTest-") ? r[1].slice(14) : r[1].startsWith("mmlu_") ? r[1].slice(5) : null;
      if (subject !== null && !bySubject.has(subject)) bySubject.set(subject, Math.fround(Number(r[4])));
    }
    const mmlu = [...bySubject.values()];
    expect(mmlu.length).toBe(57);
    const got = db.results.find((r) => r.id === id && r.benchmark === "mmlu_5-shot" && r.metric === "accuracy")!;
    expect(got.value).toBeCloseTo(mean(mmlu), 12);
    const lam = rows.filter((r) => r[0] === id && r[1].startsWith("lambada_") && r[3] === "accuracy").map((r) => Math.fround(Number(r[4])));
    expect(lam.length).toBe(2);
    expect(db.results.find((r) => r.id === id && r.benchmark === "lambada" && r.metric === "accuracy")!.value).toBeCloseTo(mean(lam), 12);
  });

  it("matches the deterministic least-squares and median baselines (reference_deterministic_baselines.json)", () => {
    const ref = JSON.parse(readFileSync(path.join(NJSL, "reference_deterministic_baselines.json"), "utf8"));
    expect(Object.keys(ref).length).toBe(13);
    for (const [key, r] of Object.entries<{ n: number; ols_coef: number[]; ols_insample_mae: number; ols_loo_mae: number; median_loo_mae: number }>(ref)) {
      const [bench, metric] = key.split("|");
      const t = taskData(db, bench, SETTING[bench] ?? "0-shot", metric);
      expect(t.models.length, key).toBe(r.n);
      const { X, n, p } = designMatrix([t.models.map((m) => Math.log(m.params)), t.models.map((m) => Math.log(m.tokens))]);
      const fit = leastSquares(X, n, p, t.y);
      r.ols_coef.forEach((c, j) => expect(fit.coef[j], key).toBeCloseTo(c, 5));
      expect(Math.abs(mean(fit.residuals.map(Math.abs)) - r.ols_insample_mae), key).toBeLessThan(1e-4);
      expect(Math.abs(mean(looAbsErrors(fit)) - r.ols_loo_mae), key).toBeLessThan(1e-4);
      expect(Math.abs(mean(medianLooAbsErrors(t.y)) - r.median_loo_mae), key).toBeLessThan(1e-4);
    }
  });

  it("draws the authors' folds: 50-seed ln-linear and median CV baselines equal the reproduction", () => {
    const lines = readFileSync(path.join(NJSL, "reproduction_50seeds_xgb1.7.4.csv"), "utf8").trim().split("\n").slice(1);
    expect(lines.length).toBe(13);
    for (const line of lines) {
      const [task, setting, n, , , , loglinear, med] = line.split(",");
      const metric = ["anli", "logiqa2", "xnli", "mathqa"].includes(task) ? "brier_score" : "accuracy";
      const t = taskData(db, task, setting, metric);
      expect(t.models.length).toBe(Number(n));
      const scale = encodeRows(makeEncoder(db, ["params", "tokens"]), t.models);
      let ll = 0;
      let md = 0;
      for (let seed = 0; seed < 50; seed++) {
        const b = baselineSeed(scale, t.y, seed);
        ll += b.loglinearMae / 50;
        md += b.medianMae / 50;
      }
      // the reference rounds to 4 decimals
      expect(Math.abs(ll - Number(loglinear)), `${task} ln-linear ${ll}`).toBeLessThanOrEqual(0.00005 + 1e-9);
      expect(Math.abs(md - Number(med)), `${task} median ${md}`).toBeLessThanOrEqual(0.00005 + 1e-9);
    }
  });

  it("reads the authors' published feature selections", () => {
    expect(db.publishedSelection.get("lambada|0-shot")).toEqual(["params", "tokens", "percentage_code", "question_words_ratio", "percentage_books", "layer_norm_type"]);
    expect(db.publishedSelection.size).toBe(13);
  });
});
