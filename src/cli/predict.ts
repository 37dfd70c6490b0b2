/**
 * `datatailor predict`: downstream scores from model scale and design (Not-Just-Scaling Laws).
 *   predict cv     scale-only vs design-aware trees under the paper's CV protocol
 *   predict [card] a planned model's score with an interval and SHAP contributions (default)
 *   predict sweep  the predicted score as one design variable varies
 * Flags → runPredictCv / runPredictCard / runPredictSweep (src/pipelines/predict/, which also
 * writes the report) → text or JSON.
 */
import type { Command } from "commander";
import { action, log, printJson } from "./output.js";
import { countOption, numberOption, seedOption } from "./options.js";
import { usageError } from "../util/errors.js";
import { PREDICT_DEFAULTS, runPredictCard, runPredictCv, runPredictSweep, type CvSummary, type PredictCardResult, type PredictOptions } from "../pipelines/predict/index.js";

/** The flags: the pipeline's options as commander gives them (defaults from PREDICT_DEFAULTS), plus output. */
type DbOpts = Omit<PredictOptions, "features" | "candidates" | "log" | "progress"> & { features: string; candidates: string; json?: boolean };

interface CardOpts extends DbOpts {
  model?: string;
  coverage: number;
  vary?: string;
  points: number;
}

function addDbOptions(cmd: Command): Command {
  return cmd
    .option("--db <path>", "model database: a directory with models.* and results.* tables, a Not-Just-Scaling export directory, or a .duckdb file")
    .option("--models <file>", "models table (CSV/TSV/JSONL/Parquet or file.duckdb:table), instead of --db")
    .option("--results <file>", "results table (id, benchmark, setting, metric, value), instead of --db")
    .option("--benchmark <name...>", "benchmark(s) to model; 'all' = every benchmark with at least 30 models")
    .option("--setting <s>", "shot setting, e.g. 5-shot (needed when a benchmark has several)")
    .option("--metric <m>", "metric (default: accuracy when present)")
    .option("--features <mode>", "all | selected (forward selection) | published (the database's own selection) | scale | comma-separated list", PREDICT_DEFAULTS.features)
    .option("--seeds <k>", "seeds of the CV protocol", countOption("--seeds", 1), PREDICT_DEFAULTS.seeds)
    .option("--seed <n>", "first seed (folds are drawn as scikit-learn draws them with this numpy seed)", seedOption("--seed"), PREDICT_DEFAULTS.seed)
    .option("--selection-seeds <k>", "seeds per candidate in forward selection", countOption("--selection-seeds", 1), PREDICT_DEFAULTS.selectionSeeds)
    .option("--candidates <set>", "forward-selection candidates: design | all (adds extra measured columns)", PREDICT_DEFAULTS.candidates)
    .option("--strict", "fail (exit 3) on any malformed model or result row instead of skipping it")
    .option("--json", "one JSON document on stdout")
    .option("--report <file.html>", "write an HTML report");
}

/** Flags → the pipeline's options (its defaults are the flags' defaults). */
function predictOptions(o: DbOpts): PredictOptions {
  return {
    db: o.db,
    models: o.models,
    results: o.results,
    benchmark: o.benchmark ?? [],
    setting: o.setting,
    metric: o.metric,
    features: o.features,
    seeds: o.seeds,
    seed: o.seed,
    selectionSeeds: o.selectionSeeds,
    candidates: o.candidates === "all" ? "all" : "design",
    strict: o.strict,
    report: o.report,
    log,
    progress: process.env.DATATAILOR_NO_PROGRESS === undefined,
  };
}

async function cvCommand(o: DbOpts): Promise<void> {
  const { results: out } = await runPredictCv(predictOptions(o));
  if (o.json) return printJson(out.length === 1 ? cvJson(out[0]) : out.map(cvJson));
  for (const r of out) {
    process.stdout.write(
      `${r.benchmark} ${r.setting} (${r.metric}, n=${r.n}, ${r.seeds} seeds): MAE scale-only ${fmt(r.mae_scale_only)}, full ${fmt(r.mae_full)}, ` +
        `improvement ${fmt(r.relative_improvement, 1)}%, p=${r.p_value.toExponential(2)}${r.p_adjusted !== null && out.length > 1 ? ` (BH ${r.p_adjusted.toExponential(2)})` : ""}; ` +
        `ln-linear ${fmt(r.mae_loglinear)}, median ${fmt(r.mae_median)}; features: ${r.features.join(", ")}\n`,
    );
  }
}

async function cardCommand(o: CardOpts, withSweep: boolean): Promise<void> {
  if (!o.model) throw usageError("--model <card.json> is required");
  if (withSweep && !o.vary) throw usageError("--vary <feature=a..b> is required");
  const opts = { ...predictOptions(o), card: o.model, coverage: o.coverage };
  const r = withSweep ? await runPredictSweep({ ...opts, vary: o.vary!, points: o.points }) : await runPredictCard(opts);
  if (o.json) {
    const docs = withSweep
      ? r.sweeps.map((s, i) => ({ benchmark: s.benchmark, setting: r.predictions[i].setting, metric: r.predictions[i].metric, feature: s.feature, points: s.points, card: r.predictions[i] }))
      : r.predictions;
    return printJson(docs.length === 1 ? docs[0] : docs);
  }
  printCards(r, withSweep);
}

function fmt(x: number, d = 4): string {
  return Number.isFinite(x) ? x.toFixed(d) : "-";
}

/** `predict cv --json`: the summary without the per-model arrays, SHAP as a mean per feature. */
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

function printCards(r: PredictCardResult, withSweep: boolean): void {
  for (const [i, p] of r.predictions.entries()) {
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
      const s = r.sweeps[i];
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
    .option("--coverage <q>", "interval covers this fraction of cross-validated errors", numberOption("--coverage", { min: 0.5, max: 0.99 }), PREDICT_DEFAULTS.coverage)
    .action(action(async (o: CardOpts) => cardCommand(o, false)));

  addDbOptions(predict.command("cv").description("scale-only vs design-aware trees: the paper's nested CV protocol, paired t-test, Benjamini-Hochberg")).action(
    action(async (o: DbOpts) => cvCommand(o)),
  );

  addDbOptions(predict.command("sweep").description("predicted score as one design variable of a card varies"))
    .option("--model <card.json>", "model card: JSON with params, tokens and any feature fields")
    .option("--vary <feature=a..b[:step]>", "feature and range, e.g. percentage_code=0..40 or percentage_code=0..40:5")
    .option("--points <n>", "points in the range when no step is given", numberOption("--points", { int: true, min: 2, max: 1000 }), PREDICT_DEFAULTS.points)
    .option("--coverage <q>", "interval covers this fraction of cross-validated errors", numberOption("--coverage", { min: 0.5, max: 0.99 }), PREDICT_DEFAULTS.coverage)
    .action(action(async (o: CardOpts) => cardCommand(o, true)));
}
