/**
 * `fit` end to end: load points, check them, fit the law from its starts (threads when large),
 * optionally hold out the largest runs, bootstrap, intervals, predictions, compute-optimal
 * allocation and the BETR filter rate. Returns the JSON summary plus what the report draws.
 */
import { resolveLaw } from "../../models/laws/registry.js";
import { LawObjective } from "../../models/laws/fit.js";
import { validateData, LawDataError, minPoints } from "../../models/laws/validate.js";
import { FormulaError } from "../../models/laws/formula/parse.js";
import { optimalAllocation, type Allocation, type ChinchillaParams } from "../../models/laws/allocation.js";
import { checkMonotone, type Monotonicity } from "../../models/stats/monotone.js";
import type { Law } from "../../models/laws/types.js";
import { UserError, EXIT } from "../../util/errors.js";
import { createProgress } from "../../util/progress.js";
import { loadFitData, type LoadedData } from "./load.js";
import { parallelBootstrap, parallelStarts } from "./parallel.js";
import type { TaskData } from "./tasks.js";
import { curveDraws, curveInterval, paramIntervals, predictionInterval, type Draws } from "./intervals.js";
import { maxOf, minOf } from "../../util/array.js";

export interface FitRunOptions {
  file: string;
  law: string;
  x?: string[];
  y?: string;
  delta?: number;
  bootstrap: number;
  /** Extra grid starts (besides the full-data optimum) for each bootstrap refit. */
  bootstrapStarts: number;
  seed: number;
  level: number;
  holdoutLargest: number;
  predict: Array<Record<string, number>>;
  compute: number[];
  threads: number;
  dropMissing: boolean;
  dropHighest: number;
  strict: boolean;
  label?: string;
  /** Row filters, `column=value`. */
  where?: string[];
  log: (s: string) => void;
  progress: boolean;
}

export interface Prediction {
  x: Record<string, number>;
  y: number;
  ci: [number, number] | null;
  pi: [number, number] | null;
}

export interface HoldoutPoint {
  where: string;
  x: Record<string, number>;
  y: number;
  predicted: number;
  error: number;
  relError: number;
}

export interface FitSummary {
  law: string;
  params: Record<string, number>;
  objective: number;
  n: number;
  ci: Record<string, [number, number]>;
  predictions: Prediction[];
  formula: string;
  level: number;
  huberDelta: number | null;
  residualSpace: "log" | "linear";
  columns: { x: string[]; y: string };
  converged: boolean;
  starts: { tried: number; converged: number };
  dropped: { missing: number; highest: number };
  bootstrap: { resamples: number; failed: number; startsPerRefit: number; seconds: number } | null;
  holdout: { k: number; points: HoldoutPoint[]; mae: number; rmse: number; mape: number; maxAbsError: number } | null;
  alignment: Monotonicity | null;
  allocation: Allocation[];
  warnings: string[];
  seconds: { fit: number; bootstrap: number };
  seed: number;
}

export interface PlotPoint {
  x: number;
  y: number;
  fitted: number;
  residual: number;
  heldOut: boolean;
  where: string;
  label?: string;
}

export interface PlotData {
  xLabel: string;
  yLabel: string;
  logX: boolean;
  points: PlotPoint[];
  /** Fitted curve and its confidence band (for Chinchilla: the compute-optimal frontier L*(C)). */
  curve: Array<{ x: number; y: number; lo?: number; hi?: number }>;
  curveLabel: string;
  predictions: Array<{ x: number; y: number; lo?: number; hi?: number }>;
}

export interface FitRun {
  summary: FitSummary;
  plot: PlotData;
  law: Law;
  data: LoadedData;
}

function toUserError(e: unknown, data: LoadedData, rows: number[]): never {
  if (e instanceof LawDataError) {
    const at = e.row !== undefined ? data.where[rows[e.row]] : data.source;
    throw new UserError(`${at}: ${e.message}`, EXIT.badInput);
  }
  throw e;
}

/** Size of a run for "largest": x for one input, the product of inputs (∝ compute 6ND) for several. */
function sizeOf(x: Float64Array[], i: number): number {
  let s = 1;
  for (const c of x) s *= c[i];
  return s;
}

function sub(a: Float64Array, idx: number[]): Float64Array {
  return Float64Array.from(idx, (i) => a[i]);
}

function logspace(lo: number, hi: number, n: number, log: boolean): number[] {
  return Array.from({ length: n }, (_, i) => (log ? Math.exp(Math.log(lo) + ((Math.log(hi) - Math.log(lo)) * i) / (n - 1)) : lo + ((hi - lo) * i) / (n - 1)));
}

/** Starts for a bootstrap refit: the full-data optimum plus starts that reached other basins. */
export function pickBootstrapStarts(best: Float64Array, starts: Float64Array[], objective: Float64Array, theta: Float64Array, k: number): Float64Array[] {
  const dim = best.length;
  const order = Array.from(objective.keys()).filter((i) => Number.isFinite(objective[i])).sort((a, b) => objective[a] - objective[b]);
  const chosen: Float64Array[] = [Float64Array.from(best)];
  const ends: Float64Array[] = [best];
  const far = (e: Float64Array) => ends.every((o) => o.some((v, j) => Math.abs(v - e[j]) > 0.05 * Math.max(1, Math.abs(v))));
  for (const i of order) {
    if (chosen.length > k) break;
    const end = theta.subarray(i * dim, (i + 1) * dim);
    if (far(end)) {
      chosen.push(starts[i]);
      ends.push(end);
    }
  }
  // Not enough distinct basins: fill with the starts of the best runs.
  for (const i of order) {
    if (chosen.length > k) break;
    if (!chosen.includes(starts[i])) chosen.push(starts[i]);
  }
  return chosen;
}

export async function runFit(o: FitRunOptions): Promise<FitRun> {
  let law: Law;
  const builtinInputs = ["power", "loglaw", "sigmoid", "linear", "loglinear"].includes(o.law) ? ["x"] : o.law === "chinchilla" ? ["N", "D"] : null;
  const xSpecs = o.x ?? builtinInputs;
  if (!xSpecs?.length) throw new UserError("--x is required for a formula law (the input column(s))", EXIT.usage);
  const xNamesGuess = xSpecs.map((s) => /^\s*([A-Za-z_]\w*)\s*=/.exec(s)?.[1] ?? s);
  try {
    law = resolveLaw(o.law, xNamesGuess);
  } catch (e) {
    if (e instanceof FormulaError) throw new UserError(`--law: ${e.message}`, EXIT.usage);
    throw e;
  }
  if (xSpecs.length !== law.inputs.length) {
    throw new UserError(`law '${law.name}' takes ${law.inputs.length} input column(s) (${law.inputs.join(", ")}); --x gave ${xSpecs.length}`, EXIT.usage);
  }
  const data = await loadFitData(o.file, xSpecs, o.y ?? "y", { dropMissing: o.dropMissing, label: o.label, where: o.where });
  const warnings: string[] = [];
  if (data.dropped.length) warnings.push(`dropped ${data.dropped.length} row(s) with missing values (first: ${data.dropped[0].where}, ${data.dropped[0].column})`);

  // Rows used, as indices into `data`; Epoch drop the highest-loss points as outliers.
  let rows = Array.from(data.y.keys());
  if (o.dropHighest > 0) {
    if (o.dropHighest >= rows.length) throw new UserError(`--drop-highest ${o.dropHighest} leaves no points (${rows.length} rows)`, EXIT.usage);
    rows = rows.sort((a, b) => data.y[a] - data.y[b]).slice(0, rows.length - o.dropHighest).sort((a, b) => a - b);
  }
  const x = data.x.map((c) => sub(c, rows));
  const y = sub(data.y, rows);
  try {
    validateData(law, { x, y }, { x: data.xNames, y: data.yName });
  } catch (e) {
    toUserError(e, data, rows);
  }

  let alignment: Monotonicity | null = null;
  if (law.inputs.length === 1 && law.name !== "sigmoid") {
    alignment = checkMonotone(x[0], y);
    if (!alignment.monotone) {
      const r = alignment.reversals[0];
      const msg = r
        ? `${data.yName} is not monotone in ${data.xNames[0]}: it goes from ${fmt(r.fromY)} at ${fmt(r.fromX)} to ${fmt(r.toY)} at ${fmt(r.toX)} against its ${alignment.direction} trend; the pretraining data may be misaligned with this task (Isik et al. 2024), and a smooth law would hide it`
        : `${data.yName} has no clear trend in ${data.xNames[0]} (Spearman ${alignment.spearman.toFixed(2)}); the pretraining data may be misaligned with this task (Isik et al. 2024)`;
      if (o.strict) throw new UserError(`${data.source}: ${msg}`, EXIT.badInput);
      warnings.push(msg);
    }
  }

  // Hold out the K largest runs: fit on the rest, report the extrapolation error on them.
  const k = o.holdoutLargest;
  let train = Array.from(y.keys());
  let held: number[] = [];
  if (k > 0) {
    const bySize = Array.from(y.keys()).sort((a, b) => sizeOf(x, a) - sizeOf(x, b));
    held = bySize.slice(bySize.length - k);
    train = bySize.slice(0, bySize.length - k).sort((a, b) => a - b);
    if (train.length < minPoints(law)) {
      throw new UserError(`--holdout-largest ${k} leaves ${train.length} points to fit, law '${law.name}' needs at least ${minPoints(law)}`, EXIT.usage);
    }
  }
  const xt = x.map((c) => sub(c, train));
  const yt = sub(y, train);
  const delta = o.delta ?? law.defaultDelta;
  const task: TaskData = { law: { spec: o.law, inputs: [...law.inputs] }, x: xt, y: yt, delta };

  const t0 = performance.now();
  const starts = law.starts({ x: xt, y: yt });
  o.log(`fit: ${law.name} on ${yt.length} points from ${starts.length} start(s)${k ? `, ${k} largest held out` : ""}`);
  const gridProgress = createProgress({ label: "fit", unit: "starts", total: starts.length, enabled: o.progress && starts.length >= 100 ? undefined : false });
  const runs = await parallelStarts(task, starts, o.threads, (n) => gridProgress.tick(n));
  gridProgress.stop();
  // Best converged run (any run if none converged), as in Hoffmann et al.
  let bestIdx = -1;
  for (let s = 0; s < starts.length; s++) {
    if (!Number.isFinite(runs.objective[s])) continue;
    if (bestIdx < 0) bestIdx = s;
    else if (runs.converged[s] > runs.converged[bestIdx] || (runs.converged[s] === runs.converged[bestIdx] && runs.objective[s] < runs.objective[bestIdx])) bestIdx = s;
  }
  if (bestIdx < 0) throw new UserError(`${data.source}: law '${law.name}' could not be fitted: no start gave a finite objective`);
  const theta = runs.theta.slice(bestIdx * law.dim, (bestIdx + 1) * law.dim);
  const params = law.toParams(theta);
  const converged = runs.converged[bestIdx] === 1;
  if (!converged) warnings.push("no start converged; the best unconverged run is reported");
  const fitSeconds = (performance.now() - t0) / 1000;
  const obj = new LawObjective(law, { x: xt, y: yt }, delta);
  const residuals = obj.residuals(theta);

  // Bootstrap.
  let draws: Draws = { params: [] };
  let bootInfo: FitSummary["bootstrap"] = null;
  let bootSeconds = 0;
  if (o.bootstrap > 0) {
    const bStarts = pickBootstrapStarts(theta, starts, runs.objective, runs.theta, o.bootstrapStarts);
    const t1 = performance.now();
    const progress = createProgress({ label: "bootstrap", unit: "refits", total: o.bootstrap, enabled: o.progress ? undefined : false });
    const boot = await parallelBootstrap(task, bStarts, o.seed, o.bootstrap, o.threads, (n) => progress.tick(n));
    progress.stop();
    bootSeconds = (performance.now() - t1) / 1000;
    let failed = 0;
    for (let b = 0; b < o.bootstrap; b++) {
      const th = boot.theta.subarray(b * law.dim, (b + 1) * law.dim);
      if (!th.every(Number.isFinite)) {
        failed++;
        continue;
      }
      draws.params.push(law.toParams(th));
    }
    if (failed) warnings.push(`${failed} of ${o.bootstrap} bootstrap resamples could not be refitted and were left out`);
    bootInfo = { resamples: o.bootstrap, failed, startsPerRefit: bStarts.length, seconds: bootSeconds };
    o.log(`bootstrap: ${o.bootstrap} refits from ${bStarts.length} starts each in ${bootSeconds.toFixed(1)} s`);
  } else {
    draws = { params: [] };
  }
  const ci = draws.params.length ? paramIntervals(law, draws, o.level) : {};

  // Predictions at user points.
  const predictions: Prediction[] = o.predict.map((p, i) => {
    const xv = data.xNames.map((name) => {
      if (!(name in p)) throw new UserError(`--predict needs ${data.xNames.map((n) => `${n}=<value>`).join(",")}; '${name}' is missing`, EXIT.usage);
      return p[name];
    });
    const yv = law.predict(params, xv);
    if (!draws.params.length) return { x: p, y: yv, ci: null, pi: null };
    const vals = curveDraws(law, draws, xv);
    return { x: p, y: yv, ci: curveInterval(vals, o.level), pi: predictionInterval(law, vals, residuals, o.level, o.seed + 7919 * (i + 1)) };
  });

  // Held-out error.
  let holdout: FitSummary["holdout"] = null;
  if (held.length) {
    const points = held.map((i) => {
      const xv = x.map((c) => c[i]);
      const predicted = law.predict(params, xv);
      return {
        where: data.where[rows[i]],
        x: Object.fromEntries(data.xNames.map((n, j) => [n, xv[j]])),
        y: y[i],
        predicted,
        error: predicted - y[i],
        relError: (predicted - y[i]) / Math.abs(y[i]),
      };
    });
    const abs = points.map((p) => Math.abs(p.error));
    holdout = {
      k: held.length,
      points,
      mae: abs.reduce((a, b) => a + b, 0) / abs.length,
      rmse: Math.sqrt(abs.reduce((a, b) => a + b * b, 0) / abs.length),
      mape: points.reduce((a, p) => a + Math.abs(p.relError), 0) / points.length,
      maxAbsError: maxOf(abs),
    };
    o.log(`holdout: ${held.length} largest run(s), mean absolute error ${fmt(holdout.mae)} (${(100 * holdout.mape).toFixed(2)}%)`);
  }

  // Compute-optimal allocation (Chinchilla only).
  const allocation: Allocation[] = [];
  if (o.compute.length) {
    if (law.name !== "chinchilla") throw new UserError("--compute (compute-optimal allocation) needs --law chinchilla", EXIT.usage);
    for (const C of o.compute) allocation.push(optimalAllocation(params as unknown as ChinchillaParams, C));
  }

  const summary: FitSummary = {
    law: law.name,
    params,
    objective: runs.objective[bestIdx],
    n: yt.length,
    ci,
    predictions,
    formula: law.formula,
    level: o.level,
    huberDelta: Number.isFinite(delta) ? delta : null,
    residualSpace: law.space,
    columns: { x: data.xNames, y: data.yName },
    converged,
    starts: { tried: starts.length, converged: runs.converged.reduce((a, b) => a + b, 0) },
    dropped: { missing: data.dropped.length, highest: o.dropHighest },
    bootstrap: bootInfo,
    holdout,
    alignment,
    allocation,
    warnings,
    seconds: { fit: fitSeconds, bootstrap: bootSeconds },
    seed: o.seed,
  };
  const plot = buildPlot(law, data, rows, x, y, new Set(held), params, draws, o, predictions);
  return { summary, plot, law, data };
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : String(+v.toPrecision(4));
}

function buildPlot(
  law: Law,
  data: LoadedData,
  rows: number[],
  x: Float64Array[],
  y: Float64Array,
  held: Set<number>,
  params: Record<string, number>,
  draws: Draws,
  o: FitRunOptions,
  predictions: Prediction[],
): PlotData {
  const isChin = law.name === "chinchilla";
  const single = law.inputs.length === 1;
  const dispX = (i: number) => (isChin ? 6 * x[0][i] * x[1][i] : single ? x[0][i] : i);
  const points: PlotPoint[] = Array.from(y.keys(), (i) => {
    const fitted = law.predict(params, x.map((c) => c[i]));
    return { x: dispX(i), y: y[i], fitted, residual: y[i] - fitted, heldOut: held.has(i), where: data.where[rows[i]], label: data.labels?.[rows[i]] };
  });
  const logX = isChin || (single && law.logInputs[0]) || (single && points.every((p) => p.x > 0) && law.space === "log");
  let curve: PlotData["curve"] = [];
  let curveLabel = "fitted law";
  const predPts: PlotData["predictions"] = [];
  if (single || isChin) {
    const extra = isChin ? o.compute : predictions.map((p) => p.x[data.xNames[0]]);
    const xsAll = [...points.map((p) => p.x), ...extra].filter((v) => Number.isFinite(v) && (!logX || v > 0));
    const lo = minOf(xsAll);
    const hi = maxOf(xsAll);
    const value = (p: Record<string, number>, xv: number) => (isChin ? optimalAllocation(p as unknown as ChinchillaParams, xv).loss : law.predict(p, [xv]));
    curve = logspace(lo, hi, 80, logX).map((xv) => {
      const yv = value(params, xv);
      if (!draws.params.length) return { x: xv, y: yv };
      const vals = Float64Array.from(draws.params, (p) => value(p, xv));
      const [l, h] = curveInterval(vals, o.level);
      return { x: xv, y: yv, lo: l, hi: h };
    });
    if (isChin) curveLabel = "compute-optimal loss L*(C)";
    if (!isChin) for (const p of predictions) predPts.push({ x: p.x[data.xNames[0]], y: p.y, lo: p.ci?.[0], hi: p.ci?.[1] });
  }
  return {
    xLabel: isChin ? "training compute C = 6ND (FLOPs)" : single ? data.xNames[0] : "point",
    yLabel: data.yName,
    logX,
    points,
    curve: curve.filter((c) => Number.isFinite(c.y)),
    curveLabel,
    predictions: predPts,
  };
}
