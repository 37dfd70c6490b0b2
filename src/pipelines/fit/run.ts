/**
 * `fit` end to end, as named steps:
 *   1. resolve the law and load the points (a file or rows in memory)       `resolveFitLaw`, `loadPoints`
 *   2. check the metric's alignment (monotone in scale, or at chance)       `checkAlignment`
 *   3. hold out the largest runs                                            `splitHoldout`
 *   4. fit from the law's starts (threads when large)                       `fitFromGrid`
 *   5. bootstrap intervals                                                  `bootstrapDraws`
 *   6. predictions, held-out error, compute-optimal allocation               `predictAt`, `holdoutError`, `allocate`
 *   7. the summary, the plot data and (when asked) the HTML report          `buildPlot`, report/fit-report.ts
 */
import { resolveLaw } from "../../models/laws/registry.js";
import { LawObjective } from "../../models/laws/fit.js";
import { validateData, LawDataError, minPoints } from "../../models/laws/validate.js";
import { FormulaError } from "../../models/laws/formula/parse.js";
import { allocationDefined, optimalAllocation, type Allocation, type ChinchillaParams } from "../../models/laws/allocation.js";
import { checkMonotone, type Monotonicity } from "../../models/stats/monotone.js";
import type { Law } from "../../models/laws/types.js";
import { UserError, EXIT } from "../../util/errors.js";
import { createProgress } from "../../util/progress.js";
import { maxOf } from "../../util/array.js";
import { writeFitReport } from "../../report/fit-report.js";
import { loadFitData, type LoadedData } from "./load.js";
import { parallelBootstrap, parallelStarts } from "./parallel.js";
import type { TaskData } from "./tasks.js";
import { curveDraws, curveInterval, paramIntervals, predictionInterval, type Draws } from "./intervals.js";
import { buildPlot, fmt } from "./plot.js";
import { FIT_DEFAULTS, type FitRun, type FitRunOptions, type FitSummary, type Prediction, type ResolvedFitOptions } from "./types.js";

export type { FitRun, FitRunOptions, FitSummary, Prediction, HoldoutPoint, PlotData, PlotPoint } from "./types.js";
export { FIT_DEFAULTS } from "./types.js";

/** The points a fit uses: rows of `data` (after --drop-highest), their inputs and metric. */
interface Points {
  data: LoadedData;
  rows: number[];
  x: Float64Array[];
  y: Float64Array;
}

/** Outcome of the multi-start fit. */
interface GridFit {
  starts: Float64Array[];
  objective: Float64Array;
  converged: Uint8Array;
  thetas: Float64Array;
  best: number;
  theta: Float64Array;
  params: Record<string, number>;
  seconds: number;
}

export async function runFit(options: FitRunOptions): Promise<FitRun> {
  const o = resolveFitOptions(options);
  const warnings: string[] = [];
  const { law, xSpecs } = resolveFitLaw(o);
  const pts = await loadPoints(o, law, xSpecs, warnings);
  const alignment = checkAlignment(o, law, pts, warnings);
  const { train, held } = splitHoldout(o, law, pts.y.length, pts.x);
  const xt = pts.x.map((c) => sub(c, train));
  const yt = sub(pts.y, train);
  const delta = o.delta ?? law.defaultDelta;
  const task: TaskData = { law: { spec: o.law, inputs: [...law.inputs] }, x: xt, y: yt, delta };
  const fit = await fitFromGrid(o, law, task, held.length, pts.data.source, warnings);
  const residuals = new LawObjective(law, { x: xt, y: yt }, delta).residuals(fit.theta);
  const { draws, info: bootstrap } = await bootstrapDraws(o, law, task, fit, warnings);
  const predictions = predictAt(o, law, pts.data, fit.params, draws, residuals);
  const allocation = allocate(o, law, fit.params, warnings);
  const summary: FitSummary = {
    law: law.name,
    params: fit.params,
    objective: fit.objective[fit.best],
    n: yt.length,
    ci: draws.params.length ? paramIntervals(law, draws, o.level) : {},
    predictions,
    formula: law.formula,
    level: o.level,
    huberDelta: Number.isFinite(delta) ? delta : null,
    residualSpace: law.space,
    columns: { x: pts.data.xNames, y: pts.data.yName },
    converged: fit.converged[fit.best] === 1,
    starts: { tried: fit.starts.length, converged: fit.converged.reduce((a, b) => a + b, 0) },
    dropped: { missing: pts.data.dropped.length, highest: o.dropHighest },
    bootstrap,
    holdout: holdoutError(o, law, pts, held, fit.params),
    alignment,
    allocation,
    warnings,
    seconds: { fit: fit.seconds, bootstrap: bootstrap?.seconds ?? 0 },
    seed: o.seed,
  };
  const plot = buildPlot(law, pts.data, pts.rows, pts.x, pts.y, new Set(held), fit.params, draws, o, predictions, allocation);
  const run: FitRun = { summary, plot, law, data: pts.data };
  if (o.report) {
    await writeFitReport(o.report, { summary, plot, lawName: law.name, source: pts.data.source }, o.command);
    run.reportPath = o.report;
  }
  return run;
}

/** Fills every option the caller left out. */
export function resolveFitOptions(o: FitRunOptions): ResolvedFitOptions {
  if (o.file === undefined && o.rows === undefined) throw new UserError("runFit needs a table: `file` or `rows`", EXIT.usage);
  const given = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as FitRunOptions;
  return { ...FIT_DEFAULTS, log: () => {}, ...given } as ResolvedFitOptions;
}

/** Step 1a: the law, and the --x columns it takes. */
function resolveFitLaw(o: ResolvedFitOptions): { law: Law; xSpecs: string[] } {
  const builtinInputs = ["power", "loglaw", "sigmoid", "linear", "loglinear"].includes(o.law) ? ["x"] : o.law === "chinchilla" ? ["N", "D"] : null;
  const xSpecs = o.x ?? builtinInputs;
  if (!xSpecs?.length) throw new UserError("--x is required for a formula law (the input column(s))", EXIT.usage);
  const xNamesGuess = xSpecs.map((s) => /^\s*([A-Za-z_]\w*)\s*=/.exec(s)?.[1] ?? s);
  let law: Law;
  try {
    law = resolveLaw(o.law, xNamesGuess);
  } catch (e) {
    if (e instanceof FormulaError) throw new UserError(`--law: ${e.message}`, EXIT.usage);
    throw e;
  }
  if (xSpecs.length !== law.inputs.length) {
    throw new UserError(`law '${law.name}' takes ${law.inputs.length} input column(s) (${law.inputs.join(", ")}); --x gave ${xSpecs.length}`, EXIT.usage);
  }
  return { law, xSpecs };
}

/** Step 1b: the points, less rows with missing values (--drop-missing) and the highest ones (--drop-highest). */
async function loadPoints(o: ResolvedFitOptions, law: Law, xSpecs: string[], warnings: string[]): Promise<Points> {
  const source = o.rows ? { rows: o.rows } : { file: o.file! };
  const data = await loadFitData(source, xSpecs, o.y, { dropMissing: o.dropMissing, label: o.label, where: o.where });
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
    if (e instanceof LawDataError) throw new UserError(`${e.row !== undefined ? data.where[rows[e.row]] : data.source}: ${e.message}`, EXIT.badInput);
    throw e;
  }
  return { data, rows, x, y };
}

/**
 * Step 2: a one-input metric should move one way with scale; one that does not may come from
 * misaligned pretraining data (Isik et al. 2024), or sit at chance where no law applies.
 */
function checkAlignment(o: ResolvedFitOptions, law: Law, p: Points, warnings: string[]): Monotonicity | null {
  if (law.inputs.length !== 1 || law.name === "sigmoid") return null;
  const alignment = checkMonotone(p.x[0], p.y);
  if (alignment.monotone) return alignment;
  const { xNames, yName, source } = p.data;
  const r = alignment.reversals[0];
  let msg = r
    ? `${yName} is not monotone in ${xNames[0]}: it goes from ${fmt(r.fromY)} at ${fmt(r.fromX)} to ${fmt(r.toY)} at ${fmt(r.toX)} against its ${alignment.direction} trend; the pretraining data may be misaligned with this task (Isik et al. 2024), and a smooth law would hide it`
    : `${yName} has no clear trend in ${xNames[0]} (Spearman ${alignment.spearman.toFixed(2)}); the pretraining data may be misaligned with this task (Isik et al. 2024)`;
  const chance = atChance(p.y, o.chance);
  if (chance) msg += `; ${chance}`;
  if (o.strict) throw new UserError(`${source}: ${msg}`, EXIT.badInput);
  warnings.push(msg);
  return alignment;
}

/** Within this of the chance level (absolute, or 5% of it when larger), a metric "sits at chance". */
const CHANCE_TOLERANCE = 0.02;

/** A sentence when every point lies near the chance level, else undefined. */
export function atChance(y: Float64Array, chance: number | undefined): string | undefined {
  if (chance === undefined || y.length === 0) return undefined;
  const tol = Math.max(CHANCE_TOLERANCE, 0.05 * Math.abs(chance));
  const worst = maxOf(Array.from(y, (v) => Math.abs(v - chance)));
  if (worst > tol) return undefined;
  return `every point sits at chance (${fmt(chance)} ± ${fmt(tol)}): the models have not learned this task at these scales, so the trend is noise and no law will extrapolate it`;
}

/** Step 3: the K largest runs (by x, or the product of inputs ∝ compute) are held out of the fit. */
function splitHoldout(o: ResolvedFitOptions, law: Law, n: number, x: Float64Array[]): { train: number[]; held: number[] } {
  const k = o.holdoutLargest;
  if (k <= 0) return { train: Array.from({ length: n }, (_, i) => i), held: [] };
  const sizeOf = (i: number) => x.reduce((s, c) => s * c[i], 1);
  const bySize = Array.from({ length: n }, (_, i) => i).sort((a, b) => sizeOf(a) - sizeOf(b));
  const train = bySize.slice(0, n - k).sort((a, b) => a - b);
  if (train.length < minPoints(law)) {
    throw new UserError(`--holdout-largest ${k} leaves ${train.length} points to fit, law '${law.name}' needs at least ${minPoints(law)}`, EXIT.usage);
  }
  return { train, held: bySize.slice(n - k) };
}

/** Step 4: L-BFGS from every start of the law's grid; the best converged run wins (Hoffmann et al.). */
async function fitFromGrid(o: ResolvedFitOptions, law: Law, task: TaskData, heldOut: number, source: string, warnings: string[]): Promise<GridFit> {
  const t0 = performance.now();
  const starts = law.starts({ x: task.x, y: task.y });
  o.log(`fit: ${law.name} on ${task.y.length} points from ${starts.length} start(s)${heldOut ? `, ${heldOut} largest held out` : ""}`);
  const bar = createProgress({ label: "fit", unit: "starts", total: starts.length, enabled: o.progress && starts.length >= 100 ? undefined : false });
  const runs = await parallelStarts(task, starts, o.threads, (n) => bar.tick(n));
  bar.stop();
  let best = -1;
  for (let s = 0; s < starts.length; s++) {
    if (!Number.isFinite(runs.objective[s])) continue;
    if (best < 0) best = s;
    else if (runs.converged[s] > runs.converged[best] || (runs.converged[s] === runs.converged[best] && runs.objective[s] < runs.objective[best])) best = s;
  }
  if (best < 0) throw new UserError(`${source}: law '${law.name}' could not be fitted: no start gave a finite objective`);
  const theta = runs.theta.slice(best * law.dim, (best + 1) * law.dim);
  if (runs.converged[best] !== 1) warnings.push("no start converged; the best unconverged run is reported");
  return { starts, objective: runs.objective, converged: runs.converged, thetas: runs.theta, best, theta, params: law.toParams(theta), seconds: (performance.now() - t0) / 1000 };
}

/** Step 5: bootstrap refits (from the optimum and a few other basins' starts) as parameter draws. */
async function bootstrapDraws(o: ResolvedFitOptions, law: Law, task: TaskData, fit: GridFit, warnings: string[]): Promise<{ draws: Draws; info: FitSummary["bootstrap"] }> {
  const draws: Draws = { params: [] };
  if (o.bootstrap <= 0) return { draws, info: null };
  const bStarts = pickBootstrapStarts(fit.theta, fit.starts, fit.objective, fit.thetas, o.bootstrapStarts);
  const t1 = performance.now();
  const bar = createProgress({ label: "bootstrap", unit: "refits", total: o.bootstrap, enabled: o.progress ? undefined : false });
  const boot = await parallelBootstrap(task, bStarts, o.seed, o.bootstrap, o.threads, (n) => bar.tick(n));
  bar.stop();
  const seconds = (performance.now() - t1) / 1000;
  let failed = 0;
  for (let b = 0; b < o.bootstrap; b++) {
    const th = boot.theta.subarray(b * law.dim, (b + 1) * law.dim);
    if (th.every(Number.isFinite)) draws.params.push(law.toParams(th));
    else failed++;
  }
  if (failed) warnings.push(`${failed} of ${o.bootstrap} bootstrap resamples could not be refitted and were left out`);
  o.log(`bootstrap: ${o.bootstrap} refits from ${bStarts.length} starts each in ${seconds.toFixed(1)} s`);
  return { draws, info: { resamples: o.bootstrap, failed, startsPerRefit: bStarts.length, seconds } };
}

/** Step 6a: the law at the --predict points, with confidence and prediction intervals. */
function predictAt(o: ResolvedFitOptions, law: Law, data: LoadedData, params: Record<string, number>, draws: Draws, residuals: Float64Array): Prediction[] {
  return o.predict.map((p, i) => {
    const xv = data.xNames.map((name) => {
      if (!(name in p)) throw new UserError(`--predict needs ${data.xNames.map((n) => `${n}=<value>`).join(",")}; '${name}' is missing`, EXIT.usage);
      return p[name];
    });
    const yv = law.predict(params, xv);
    if (!draws.params.length) return { x: p, y: yv, ci: null, pi: null };
    const vals = curveDraws(law, draws, xv);
    return { x: p, y: yv, ci: curveInterval(vals, o.level), pi: predictionInterval(law, vals, residuals, o.level, o.seed + 7919 * (i + 1)) };
  });
}

/** Step 6b: the error the fit makes on the held-out largest runs. */
function holdoutError(o: ResolvedFitOptions, law: Law, p: Points, held: number[], params: Record<string, number>): FitSummary["holdout"] {
  if (!held.length) return null;
  const points = held.map((i) => {
    const xv = p.x.map((c) => c[i]);
    const predicted = law.predict(params, xv);
    const y = p.y[i];
    return { where: p.data.where[p.rows[i]], x: Object.fromEntries(p.data.xNames.map((n, j) => [n, xv[j]])), y, predicted, error: predicted - y, relError: (predicted - y) / Math.abs(y) };
  });
  const abs = points.map((q) => Math.abs(q.error));
  const mae = abs.reduce((a, b) => a + b, 0) / abs.length;
  const mape = points.reduce((a, q) => a + Math.abs(q.relError), 0) / points.length;
  o.log(`holdout: ${held.length} largest run(s), mean absolute error ${fmt(mae)} (${(100 * mape).toFixed(2)}%)`);
  return { k: held.length, points, mae, rmse: Math.sqrt(abs.reduce((a, b) => a + b * b, 0) / abs.length), mape, maxAbsError: maxOf(abs) };
}

/**
 * Step 6c: compute-optimal N*, D* at each --compute (Chinchilla). Only defined when alpha > 0
 * and beta > 0; otherwise the fit is still good and reported, with a warning instead.
 */
function allocate(o: ResolvedFitOptions, law: Law, params: Record<string, number>, warnings: string[]): Allocation[] {
  if (!o.compute.length) return [];
  if (law.name !== "chinchilla") throw new UserError("--compute (compute-optimal allocation) needs --law chinchilla", EXIT.usage);
  const p = params as unknown as ChinchillaParams;
  if (!allocationDefined(p)) {
    warnings.push(`no compute-optimal allocation: it needs alpha > 0 and beta > 0, the fit gave alpha = ${fmt(p.alpha)}, beta = ${fmt(p.beta)} (loss does not fall with ${p.alpha <= 0 ? "N" : "D"} on this data)`);
    return [];
  }
  return o.compute.map((C) => optimalAllocation(p, C));
}

function sub(a: Float64Array, idx: number[]): Float64Array {
  return Float64Array.from(idx, (i) => a[i]);
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
