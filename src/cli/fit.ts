/**
 * `datatailor fit`: scaling laws (power, loglaw, chinchilla, sigmoid, linear, loglinear or a
 * formula) fitted robustly with bootstrap intervals, held-out extrapolation error, predictions,
 * compute-optimal allocation and an HTML report; `fit filter-rate` gives BETR's optimal filter
 * rate for a compute budget.
 */
import { Option, type Command } from "commander";
import { action, log, printJson } from "./output.js";
import { countOption, defaultThreads, numberListOption, numberOption, seedOption } from "./options.js";
import { EXIT, UserError, usageError } from "../util/errors.js";
import { runFit, type FitRunOptions, type FitSummary } from "../pipelines/fit/run.js";
import { optimalFilterRate, type FilterPool } from "../models/laws/filter-rate.js";

interface FitFlags {
  law: string;
  x?: string[];
  y?: string;
  huberDelta?: number;
  bootstrap: number;
  bootstrapStarts: number;
  seed: number;
  level: number;
  holdoutLargest: number;
  predict?: string[];
  compute?: number[];
  threads?: number;
  dropMissing?: boolean;
  dropHighest: number;
  strict?: boolean;
  label?: string;
  where?: string[];
  chance?: number;
  report?: string;
  json?: boolean;
  pool: FilterPool;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** `--x a,b` or repeated `--x`; a derived column `D=expr` is kept whole (it may contain commas). */
export function splitColumns(values: string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  return values.flatMap((v) => (/^\s*[A-Za-z_]\w*\s*=/.test(v) || v.includes("`") ? [v] : v.split(",").map((s) => s.trim()).filter(Boolean)));
}

/** `N=7e10,D=1.4e12` → { N: 7e10, D: 1.4e12 }; a bare number means the single input `x`. */
export function parsePoint(spec: string, inputs: string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of spec.split(",")) {
    const m = /^\s*([^=]+?)\s*=\s*(.+)$/.exec(part);
    const [name, value] = m ? [m[1], m[2]] : [inputs?.length === 1 ? inputs[0] : "x", part];
    const v = Number(value);
    if (value.trim() === "" || !Number.isFinite(v)) throw usageError(`--predict: '${part.trim()}' is not name=number`);
    out[name] = v;
  }
  return out;
}

export function registerFit(program: Command): void {
  program
    .command("fit")
    .description("Fit a scaling law (with bootstrap intervals, held-out error and an HTML report)")
    .argument("<data>", "points: .csv, .tsv, .jsonl, .parquet or db.duckdb:table; or 'filter-rate' for BETR's optimal filter rate")
    .option("--law <law>", "power | loglaw | chinchilla | sigmoid | linear | loglinear | a formula such as \"E + A/x^alpha\"", "power")
    .option("--x <cols>", "input column(s), comma-separated or repeated; derive one as name=expr, e.g. D=`Training FLOP`/(6*`Model Size`)", collect)
    .option("--y <col>", "metric column", "y")
    .option("--huber-delta <d>", "Huber delta on residuals (default 1e-3 for log-space laws, least squares otherwise)", numberOption("--huber-delta", { gt: 0 }))
    .option("--bootstrap <B>", "bootstrap resamples for intervals (0 = none)", countOption("--bootstrap"), 0)
    .option("--bootstrap-starts <k>", "grid starts per bootstrap refit besides the full-data optimum", countOption("--bootstrap-starts"), 4)
    .option("--level <p>", "interval level", numberOption("--level", { min: 0.5, max: 0.999 }), 0.95)
    .option("--holdout-largest <K>", "fit without the K largest runs and report the error on them", countOption("--holdout-largest"), 0)
    .option("--predict <point>", "predict at x=value (or N=..,D=.. for chinchilla); repeatable", collect)
    .option("--compute <C>", "compute-optimal N*, D*, tokens/param at C FLOPs (chinchilla); repeatable", numberListOption("--compute", { gt: 0 }))
    .addOption(new Option("--pool <pool>", "filter-rate: the candidate pool BETR's law was fitted on").choices(["nemotron-cc", "dclm-rw"]).default("nemotron-cc"))
    .option("--drop-highest <K>", "drop the K points with the highest y first (Epoch drop 5 outliers)", countOption("--drop-highest"), 0)
    .option("--drop-missing", "skip rows with missing or non-numeric values (reported) instead of failing")
    .option("--where <col=value>", "only rows whose column has this value, e.g. \"Model Family=Llama-2\"; repeatable", collect)
    .option("--label <col>", "column naming each point (shown in the report)")
    .option("--chance <y>", "the metric's chance level (e.g. 0.25 for 4-way multiple choice): a non-monotone metric that sits there is named as such", numberOption("--chance"))
    .option("--strict", "treat a non-monotone metric (misaligned pretraining data) as an error (exit 3)")
    .option("--threads <n>", "worker threads for the start grid and the bootstrap", countOption("--threads", 1))
    .option("--seed <n>", "random seed for the bootstrap", seedOption("--seed"), 0)
    .option("--report <file>", "write a self-contained HTML report")
    .option("--json", "print one JSON document on stdout (logs go to stderr)")
    .addHelpText(
      "after",
      `
Examples:
  datatailor fit points.csv --law power --x tokens --y loss --bootstrap 1000 --predict tokens=1e12
  datatailor fit chinchilla.csv --law chinchilla --x "N=Model Size" --x 'D=\`Training FLOP\`/(6*\`Model Size\`)' \\
      --y loss --drop-highest 5 --bootstrap 4000 --compute 5.76e23 --report fit.html
  datatailor fit bleu.csv --law loglaw --x tokens --y bleu --holdout-largest 2
  datatailor fit runs.csv --law "E + A/x^alpha" --x tokens --y loss
  datatailor fit filter-rate --compute 1e22 --pool dclm-rw`,
    )
    .action(action(fitCommand));
}

/** `datatailor fit <data>`: flags → runFit → the summary (text, or --json). */
async function fitCommand(file: string, f: FitFlags): Promise<void> {
  // `fit filter-rate --compute C`: the same law `select --compute` uses, not a fit to data.
  if (file === "filter-rate") return filterRate(f);
  const xs = splitColumns(f.x);
  const opts: FitRunOptions = {
    file,
    law: f.law,
    x: xs,
    y: f.y,
    delta: f.huberDelta,
    bootstrap: f.bootstrap,
    bootstrapStarts: f.bootstrapStarts,
    seed: f.seed,
    level: f.level,
    holdoutLargest: f.holdoutLargest,
    predict: (f.predict ?? []).map((p) => parsePoint(p, xs?.map((s) => /^\s*([A-Za-z_]\w*)\s*=/.exec(s)?.[1] ?? s))),
    compute: f.compute ?? [],
    threads: f.threads ?? defaultThreads(),
    dropMissing: f.dropMissing ?? false,
    dropHighest: f.dropHighest,
    strict: f.strict ?? false,
    label: f.label,
    where: f.where,
    chance: f.chance,
    report: f.report,
    command: ["datatailor", "fit", ...process.argv.slice(3)].join(" "),
    log,
    progress: !f.json,
  };
  const run = await runFit(opts);
  const s = run.summary;
  for (const w of s.warnings) log(`warning: ${w}`);
  if (run.reportPath) log(`report: ${run.reportPath}`);
  if (f.json) printJson(s);
  else process.stdout.write(fitText(s).join("\n") + "\n");
}

/** The summary as lines: law and objective, parameters with intervals, predictions, allocation, holdout. */
function fitText(s: FitSummary): string[] {
  const out: string[] = [`law ${s.law}: ${s.formula}  (n = ${s.n}, objective ${s.objective.toPrecision(6)}${s.converged ? "" : ", NOT converged"})`];
  for (const p of Object.keys(s.params)) {
    const ci = s.ci[p];
    out.push(`  ${p.padEnd(8)} ${fmt(s.params[p])}${ci ? `   ${Math.round(s.level * 100)}% CI [${fmt(ci[0])}, ${fmt(ci[1])}]` : ""}`);
  }
  for (const p of s.predictions) {
    out.push(`predict ${Object.entries(p.x).map(([k, v]) => `${k}=${fmt(v)}`).join(", ")}: ${fmt(p.y)}${p.ci ? `  CI [${fmt(p.ci[0])}, ${fmt(p.ci[1])}]  PI [${fmt(p.pi![0])}, ${fmt(p.pi![1])}]` : ""}`);
  }
  for (const a of s.allocation) out.push(`compute ${fmt(a.compute)} FLOPs: N* = ${fmt(a.N)}, D* = ${fmt(a.D)}, ${a.tokensPerParam.toFixed(1)} tokens/param, loss ${fmt(a.loss)}`);
  if (s.holdout) out.push(`holdout (${s.holdout.k} largest): MAE ${fmt(s.holdout.mae)}, RMSE ${fmt(s.holdout.rmse)}, MAPE ${(100 * s.holdout.mape).toFixed(2)}%`);
  return out;
}

function filterRate(f: FitFlags): void {
  if (!f.compute?.length) throw usageError("fit filter-rate needs --compute <FLOPs>");
  const rates = f.compute.map((C) => {
    try {
      return optimalFilterRate(C, f.pool);
    } catch (e) {
      throw new UserError((e as Error).message, EXIT.usage);
    }
  });
  if (f.json) {
    printJson(rates.length === 1 ? { law: "filter-rate", ...rates[0] } : { law: "filter-rate", rates });
    return;
  }
  for (const r of rates) {
    process.stdout.write(`keep ${r.percent.toPrecision(4)}% of the ${r.pool} pool's tokens at ${r.computeFlops.toExponential(2)} FLOPs (${r.formula}${r.clamped ? ", clamped at 100%" : ""})\n`);
  }
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(4) : String(+v.toPrecision(5));
}
