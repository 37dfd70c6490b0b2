/**
 * `datatailor predict`: downstream scores from model scale and design (Not-Just-Scaling Laws).
 *   predict cv     scale-only vs design-aware trees under the paper's CV protocol
 *   predict [card] a planned model's score with an interval and SHAP contributions (default)
 *   predict sweep  the predicted score as one design variable varies
 */
import type { Command } from "commander";
import { action, log, printJson } from "./output.js";
import { countOption, numberOption, seedOption } from "./options.js";
import { EXIT, UserError, usageError } from "../util/errors.js";
import { createProgress } from "../util/progress.js";
import { loadModelDb, benchmarkSummary, type ModelDb } from "../pipelines/predict/db.js";
import { taskData, type TaskData } from "../pipelines/predict/features.js";
import { adjustAcrossBenchmarks, compareFeatureSets, resolveFeatures, type CvSummary, type FeatureMode } from "../pipelines/predict/evaluate.js";
import { buildPredictor, parseVary, predictCard, readCard, sweep, type CardPrediction } from "../pipelines/predict/card.js";
import { validateCard } from "../pipelines/predict/validate.js";
import { writePredictReport } from "../report/predict-report.js";

interface DbOpts {
  db?: string;
  models?: string;
  results?: string;
  benchmark: string[];
  setting?: string;
  metric?: string;
  features: string;
  seeds: number;
  seed: number;
  selectionSeeds: number;
  candidates: string;
  json?: boolean;
  report?: string;
  strict?: boolean;
}

function addDbOptions(cmd: Command): Command {
  return cmd
    .option("--db <path>", "model database: a directory with models.* and results.* tables, a Not-Just-Scaling export directory, or a .duckdb file")
    .option("--models <file>", "models table (CSV/TSV/JSONL/Parquet or file.duckdb:table), instead of --db")
    .option("--results <file>", "results table (id, benchmark, setting, metric, value), instead of --db")
    .option("--benchmark <name...>", "benchmark(s) to model; 'all' = every benchmark with at least 30 models")
    .option("--setting <s>", "shot setting, e.g. 5-shot (needed when a benchmark has several)")
    .option("--metric <m>", "metric (default: accuracy when present)")
    .option("--features <mode>", "all | selected (forward selection) | published (the database's own selection) | scale | comma-separated list", "all")
    .option("--seeds <k>", "seeds of the CV protocol", countOption("--seeds", 1), 5)
    .option("--seed <n>", "first seed (folds are drawn as scikit-learn draws them with this numpy seed)", seedOption("--seed"), 0)
    .option("--selection-seeds <k>", "seeds per candidate in forward selection", countOption("--selection-seeds", 1), 3)
    .option("--candidates <set>", "forward-selection candidates: design | all (adds extra measured columns)", "design")
    .option("--strict", "fail (exit 3) on any malformed model or result row instead of skipping it")
    .option("--json", "one JSON document on stdout")
    .option("--report <file.html>", "write an HTML report");
}

function featureMode(s: string): FeatureMode {
  if (["all", "selected", "published", "scale"].includes(s)) return s as FeatureMode;
  const list = s.split(",").map((x) => x.trim()).filter(Boolean);
  if (!list.length) throw usageError(`--features: empty list`);
  return list;
}

async function openDb(o: DbOpts): Promise<ModelDb> {
  if (!o.db && !(o.models && o.results)) throw usageError("give --db <path>, or --models <file> and --results <file>");
  const db = await loadModelDb({ db: o.db, models: o.models, results: o.results }, { metric: o.metric });
  if (db.excluded.length) log(`${db.excluded.length} models left out by the database's protocol; first: ${db.excluded[0]}`);
  if (db.skipped.length) {
    if (o.strict) throw new UserError(`${db.skipped.length} bad rows; first: ${db.skipped[0]}`, EXIT.badInput);
    log(`${db.skipped.length} model/result rows skipped; first: ${db.skipped[0]}`);
  }
  log(`${db.source}: ${db.models.length} models, ${db.results.length} results, ${db.columns.length} feature columns`);
  return db;
}

function tasksFor(db: ModelDb, o: DbOpts): TaskData[] {
  if (!o.benchmark?.length) throw usageError("--benchmark is required (a name, several, or 'all')");
  const names = o.benchmark.flatMap((b) => b.split(",")).map((b) => b.trim()).filter(Boolean);
  if (names.length === 1 && names[0] === "all") {
    return benchmarkSummary(db)
      .filter((b) => b.n >= 30 && (o.metric ? b.metric === o.metric : true))
      .filter((b, i, all) => o.metric || b.metric === "accuracy" || !all.some((x) => x.benchmark === b.benchmark && x.setting === b.setting && x.metric === "accuracy"))
      .map((b) => taskData(db, b.benchmark, b.setting, b.metric));
  }
  return names.map((b) => taskData(db, b, o.setting, o.metric));
}

function fmt(x: number, d = 4): string {
  return Number.isFinite(x) ? x.toFixed(d) : "-";
}

function cvJson(r: CvSummary) {
  return {
    benchmark: r.benchmark,
    setting: r.setting,
    metric: r.metric,
    n: r.n,
    mae_scale_only: r.mae_scale_only,
    mae_full: r.mae_full,
    relative_improvement: r.relative_improvement,
    p_value: r.p_value,
    p_adjusted: r.p_adjusted,
    mae_loglinear: r.mae_loglinear,
    mae_median: r.mae_median,
    features: r.features,
    seeds: r.seeds,
    per_seed: r.per_seed,
    params: r.params,
    shap_mean_abs: Object.fromEntries(r.features.map((f, j) => [f, r.shap.mean_abs[j]])),
    ...(r.selection ? { selection: r.selection } : {}),
  };
}

async function runCv(o: DbOpts): Promise<void> {
  const db = await openDb(o);
  const tasks = tasksFor(db, o);
  const mode = featureMode(o.features);
  const out: CvSummary[] = [];
  for (const task of tasks) {
    const { features, steps } = resolveFeatures(db, task, mode, {
      selectionSeeds: o.selectionSeeds,
      candidates: o.candidates === "all" ? "all" : "design",
      onStep: (m) => log(`${task.benchmark}: ${m}`),
    });
    const bar = createProgress({ label: `${task.benchmark} ${task.setting}`, unit: "seeds", total: o.seeds });
    let done = 0;
    const r = compareFeatureSets(db, task, features, o.seeds, {
      onSeed: (d) => {
        bar.tick(d - done);
        done = d;
      },
      seed: o.seed,
    });
    bar.stop();
    if (steps) r.selection = steps;
    out.push(r);
  }
  adjustAcrossBenchmarks(out);
  if (o.report) {
    await writePredictReport(o.report, { db: db.source, cv: out });
    log(`report: ${o.report}`);
  }
  if (o.json) return printJson(out.length === 1 ? cvJson(out[0]) : out.map(cvJson));
  for (const r of out) {
    process.stdout.write(
      `${r.benchmark} ${r.setting} (${r.metric}, n=${r.n}, ${r.seeds} seeds): MAE scale-only ${fmt(r.mae_scale_only)}, full ${fmt(r.mae_full)}, ` +
        `improvement ${fmt(r.relative_improvement, 1)}%, p=${r.p_value.toExponential(2)}${r.p_adjusted !== null && out.length > 1 ? ` (BH ${r.p_adjusted.toExponential(2)})` : ""}; ` +
        `ln-linear ${fmt(r.mae_loglinear)}, median ${fmt(r.mae_median)}; features: ${r.features.join(", ")}\n`,
    );
  }
}

interface CardOpts extends DbOpts {
  model?: string;
  coverage: number;
  vary?: string;
  points: number;
}

async function runCard(o: CardOpts, withSweep: boolean): Promise<void> {
  if (!o.model) throw usageError("--model <card.json> is required");
  if (withSweep && !o.vary) throw usageError("--vary <feature=a..b> is required");
  const card = readCard(o.model);
  const db = await openDb(o);
  validateCard(db, card, o.model);
  const tasks = tasksFor(db, o);
  const mode = featureMode(o.features);
  const preds: CardPrediction[] = [];
  const sweeps: Array<{ card: string; benchmark: string; feature: string; points: ReturnType<typeof sweep> }> = [];
  for (const task of tasks) {
    const { features } = resolveFeatures(db, task, mode, { selectionSeeds: o.selectionSeeds, onStep: (m) => log(`${task.benchmark}: ${m}`) });
    log(`${task.benchmark} ${task.setting}: training on ${task.models.length} models, ${o.seeds} CV seeds for the interval`);
    const p = buildPredictor(db, task, features, { seeds: o.seeds, seed: o.seed });
    const pred = predictCard(p, card, o.coverage);
    for (const w of pred.warnings) log(`warning: ${task.benchmark}: ${w}`);
    preds.push(pred);
    if (withSweep) {
      const { feature, values } = parseVary(o.vary!, o.points);
      sweeps.push({ card: card.id, benchmark: task.benchmark, feature, points: sweep(p, card, feature, values, o.coverage) });
    }
  }
  if (o.report) {
    await writePredictReport(o.report, { db: db.source, cards: preds, sweeps });
    log(`report: ${o.report}`);
  }
  if (o.json) {
    const docs = withSweep
      ? sweeps.map((s, i) => ({ benchmark: s.benchmark, setting: preds[i].setting, metric: preds[i].metric, feature: s.feature, points: s.points, card: preds[i] }))
      : preds;
    return printJson(docs.length === 1 ? docs[0] : docs);
  }
  for (const [i, p] of preds.entries()) {
    const scale = Math.abs(p.prediction) <= 1.5 ? 100 : 1;
    const unit = scale === 100 ? " points" : "";
    const validity = p.interval_valid ? "" : `, NOT VALID: outside the training data in ${p.extrapolated.map((e) => e.feature).join(", ")}`;
    process.stdout.write(`${p.id} on ${p.benchmark} ${p.setting} (${p.metric}): ${p.prediction.toFixed(4)} [${p.interval[0].toFixed(4)}, ${p.interval[1].toFixed(4)}] (${Math.round(p.coverage * 100)}% CV interval${validity}; CV MAE ${p.cv_mae.toFixed(4)})\n`);
    for (const w of p.warnings) process.stdout.write(`  warning: ${w}\n`);
    process.stdout.write(`  base value ${p.base_value.toFixed(4)}\n`);
    for (const c of p.contributions) {
      const v = c.shap * scale;
      process.stdout.write(`  ${v >= 0 ? "+" : ""}${v.toFixed(scale === 100 ? 1 : 4)}${unit} from ${c.feature} = ${c.value ?? "missing"}\n`);
    }
    if (withSweep) {
      const s = sweeps[i];
      process.stdout.write(`  sweep of ${s.feature}:\n`);
      for (const pt of s.points) process.stdout.write(`    ${s.feature}=${pt.value}: ${pt.prediction.toFixed(4)} [${pt.lo.toFixed(4)}, ${pt.hi.toFixed(4)}]${pt.interval_valid ? "" : " (outside the training data: interval not valid)"}\n`);
    }
  }
}

export function registerPredict(program: Command): void {
  const predict = program
    .command("predict")
    .description("predict downstream benchmark scores from model scale and design (Not-Just-Scaling Laws)");

  addDbOptions(predict.command("card", { isDefault: true }).description("predict a planned model from its card (the default subcommand)"))
    .option("--model <card.json>", "model card: JSON with params, tokens and any feature fields")
    .option("--coverage <q>", "interval covers this fraction of cross-validated errors", numberOption("--coverage", { min: 0.5, max: 0.99 }), 0.9)
    .action(action(async (o: CardOpts) => runCard(o, false)));

  addDbOptions(predict.command("cv").description("scale-only vs design-aware trees: the paper's nested CV protocol, paired t-test, Benjamini-Hochberg")).action(
    action(async (o: DbOpts) => runCv(o)),
  );

  addDbOptions(predict.command("sweep").description("predicted score as one design variable of a card varies"))
    .option("--model <card.json>", "model card: JSON with params, tokens and any feature fields")
    .option("--vary <feature=a..b[:step]>", "feature and range, e.g. percentage_code=0..40 or percentage_code=0..40:5")
    .option("--points <n>", "points in the range when no step is given", numberOption("--points", { int: true, min: 2, max: 1000 }), 21)
    .option("--coverage <q>", "interval covers this fraction of cross-validated errors", numberOption("--coverage", { min: 0.5, max: 0.99 }), 0.9)
    .action(action(async (o: CardOpts) => runCard(o, true)));
}
