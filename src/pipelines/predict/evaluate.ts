/**
 * `predict cv`: scale-only trees against design-aware trees over K seeds of the protocol in
 * ./cv.ts, a paired t-test on the per-seed MAEs, Benjamini-Hochberg across benchmarks, and
 * greedy forward feature selection from the two scale features.
 */
import { benjaminiHochberg, pairedTTest } from "../../models/stats/hypothesis.js";
import type { Matrix } from "../../models/gbdt/booster.js";
import { UserError } from "../../util/errors.js";
import { cvSeed, fitFinal, type CvOptions, type GridPoint } from "./cv.js";
import { shapValues } from "../../models/gbdt/shap.js";
import type { ModelDb } from "./db.js";
import { allFeatures, encodeRows, makeEncoder, type TaskData } from "./features.js";

import type { PredictReportCv } from "../../report/predict-report.js";

export const SCALE = ["params", "tokens"];

/** What the report shows (report/predict-report.ts declares it), plus what the run records besides. */
export interface CvSummary extends PredictReportCv {
  seeds: number;
  per_seed: { scale_only: number[]; full: number[] };
  params: GridPoint[];
  /** TreeSHAP of a model fit on all rows: mean |contribution| per feature, and every point */
  shap: { features: string[]; mean_abs: number[]; values: Float64Array; x: Float32Array };
  selection?: SelectionStep[];
}

export interface SelectionStep {
  feature: string;
  mae_before: number;
  mae_after: number;
  improvement: number;
}

function matrixFor(db: ModelDb, task: TaskData, features: string[]): Matrix {
  return encodeRows(makeEncoder(db, features), task.models);
}

/** Mean CV MAE of a feature set over seeds 0..k-1. */
export function meanCvMae(db: ModelDb, task: TaskData, features: string[], seeds: number, opts: CvOptions = {}): number {
  const X = matrixFor(db, task, features);
  let s = 0;
  for (let seed = 0; seed < seeds; seed++) s += cvSeed(X, task.y, seed, null, opts).mae;
  return s / seeds;
}

/**
 * Greedy forward selection (the authors' forward_feature_selection): start from the scale
 * features; each round adds the candidate with the largest mean-MAE improvement, if it beats
 * `threshold`.
 */
export function forwardSelect(
  db: ModelDb,
  task: TaskData,
  candidates: string[],
  opts: { seeds: number; threshold?: number; cv?: CvOptions; onStep?: (msg: string) => void },
): { features: string[]; steps: SelectionStep[] } {
  const threshold = opts.threshold ?? 1e-4;
  const current = [...SCALE];
  const pool = candidates.filter((c) => !current.includes(c));
  let baseline = meanCvMae(db, task, current, opts.seeds, opts.cv);
  const steps: SelectionStep[] = [];
  while (pool.length) {
    let bestFeature: string | null = null;
    let bestImprovement = 0;
    let bestMae = Infinity;
    for (const c of pool) {
      const m = meanCvMae(db, task, [...current, c], opts.seeds, opts.cv);
      const improvement = baseline - m;
      if (improvement > bestImprovement) {
        bestImprovement = improvement;
        bestFeature = c;
        bestMae = m;
      }
    }
    if (bestFeature === null || !(bestImprovement > threshold)) break;
    steps.push({ feature: bestFeature, mae_before: baseline, mae_after: bestMae, improvement: bestImprovement });
    opts.onStep?.(`selected ${bestFeature}: MAE ${baseline.toFixed(4)} -> ${bestMae.toFixed(4)}`);
    current.push(bestFeature);
    pool.splice(pool.indexOf(bestFeature), 1);
    baseline = bestMae;
  }
  return { features: current, steps };
}

export type FeatureMode = "all" | "selected" | "published" | "scale" | string[];

/** Turns --features into a list (scale features always first). */
export function resolveFeatures(
  db: ModelDb,
  task: TaskData,
  mode: FeatureMode,
  opts: { selectionSeeds?: number; candidates?: "design" | "all"; onStep?: (m: string) => void; cv?: CvOptions } = {},
): { features: string[]; steps?: SelectionStep[] } {
  if (Array.isArray(mode)) {
    const rest = mode.filter((f) => !SCALE.includes(f));
    const features = [...SCALE, ...rest];
    makeEncoder(db, features); // validates names
    return { features };
  }
  if (mode === "scale") return { features: [...SCALE] };
  if (mode === "all") return { features: allFeatures(db) };
  if (mode === "published") {
    const f = db.publishedSelection.get(`${task.benchmark}|${task.setting}`);
    if (!f) throw new UserError(`${db.source}: no published feature selection for ${task.benchmark} ${task.setting}`);
    return resolveFeatures(db, task, f);
  }
  if (mode === "selected") {
    const candidates = allFeatures(db, opts.candidates === "all").filter((f) => !SCALE.includes(f));
    const r = forwardSelect(db, task, candidates, { seeds: opts.selectionSeeds ?? 3, onStep: opts.onStep, cv: opts.cv });
    return { features: r.features, steps: r.steps };
  }
  throw new UserError(`--features must be all, selected, published, scale or a comma-separated list, got '${mode}'`);
}

/** K seeds of scale-only vs the given features, on the same folds, with a paired t-test. */
export function compareFeatureSets(
  db: ModelDb,
  task: TaskData,
  features: string[],
  seeds: number,
  opts: { cv?: CvOptions; onSeed?: (done: number) => void; seed?: number } = {},
): CvSummary {
  if (task.models.length < 6) throw new UserError(`${task.benchmark}: only ${task.models.length} models have a value; need at least 6 for nested 3-fold CV`);
  const Xs = matrixFor(db, task, SCALE);
  const Xf = matrixFor(db, task, features);
  const scale: number[] = [];
  const full: number[] = [];
  let loglinear = 0;
  let med = 0;
  const params: GridPoint[] = [];
  const oofScale = new Float64Array(task.models.length);
  const oofFull = new Float64Array(task.models.length);
  for (let k = 0; k < seeds; k++) {
    const seed = (opts.seed ?? 0) + k;
    const a = cvSeed(Xs, task.y, seed, Xs, opts.cv);
    const b = cvSeed(Xf, task.y, seed, Xs, opts.cv);
    scale.push(a.mae);
    full.push(b.mae);
    loglinear += a.loglinearMae;
    med += a.medianMae;
    if (k === 0) {
      for (const f of a.folds) f.test.forEach((r, k) => (oofScale[r] = f.pred[k]));
      for (const f of b.folds) {
        f.test.forEach((r, k) => (oofFull[r] = f.pred[k]));
        params.push(f.params);
      }
    }
    opts.onSeed?.(k + 1);
  }
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const { model } = fitFinal(Xf, task.y, opts.seed ?? 0, opts.cv?.grid);
  const sv = shapValues(model, Xf);
  const nf = features.length;
  const meanAbs = features.map((_, j) => {
    let s = 0;
    for (let i = 0; i < Xf.nRows; i++) s += Math.abs(sv[i * (nf + 1) + j]);
    return s / Xf.nRows;
  });
  const ms = mean(scale);
  const mf = mean(full);
  return {
    benchmark: task.benchmark,
    setting: task.setting,
    metric: task.metric,
    n: task.models.length,
    mae_scale_only: ms,
    mae_full: mf,
    relative_improvement: ((ms - mf) / ms) * 100,
    p_value: seeds >= 2 ? pairedTTest(scale, full).pValue : NaN,
    p_adjusted: null,
    features,
    seeds,
    mae_loglinear: loglinear / seeds,
    mae_median: med / seeds,
    per_seed: { scale_only: scale, full },
    predictions: task.models.map((m, i) => ({ id: m.id, actual: task.y[i], scale_only: oofScale[i], full: oofFull[i] })),
    params,
    shap: { features, mean_abs: meanAbs, values: sv, x: Xf.values },
  };
}

/** Fills p_adjusted across benchmarks (Benjamini-Hochberg). */
export function adjustAcrossBenchmarks(rows: CvSummary[]): void {
  const adj = benjaminiHochberg(rows.map((r) => r.p_value));
  rows.forEach((r, i) => (r.p_adjusted = Number.isNaN(adj[i]) ? null : adj[i]));
}
