/**
 * Imports the Not-Just-Scaling Laws export (Liu et al. 2025; github.com/nightingal3/
 * llm-pretraining-behaviours, metadata/duckdb/<date>.duckdb/*.csv) the way the authors' code
 * (performance_prediction/performance_predict_from_db_gradual.py) builds its data:
 *  - models: annotated with total_params, with a total-token count in dataset_info, not
 *    instruction-tuned (unknown counts as not);
 *  - results: `hendrycksTest-x` renamed `mmlu_x`, `arc:challenge` renamed `arc_challenge`, the
 *    first row kept per (id, benchmark, setting, metric); then multi-part benchmarks averaged per
 *    model: MMLU subjects into `mmlu_<setting>`, lambada_standard/openai into `lambada`, ANLI
 *    rounds into `anli`, XNLI languages into `xnli`, truthfulqa_mc1/mc2 into `truthfulqa`,
 *    gsm8k and gsm8k_cot into `gsm8k`; only each benchmark's default shot setting is kept;
 *  - features: the authors' 12 numeric and 6 categorical columns (a missing category becomes the
 *    category "missing", as in their ordinal encoding), plus the free-generation statistics of
 *    all_models_feature_stats_3_03_with_ratios.csv as extra columns when present;
 *  - their per-task forward-selected features (forward_generation_results_303.csv) when present.
 * Column names drop the `pretraining_summary_` prefix: total_params -> params,
 * total_tokens_billions -> tokens (in billions), percentage_code, ...
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Cell } from "../../io/table.js";
import { readTable } from "../read-table.js";
import { UserError } from "../../util/errors.js";
import type { FeatureColumn, ModelDb, ModelRow, ResultRow } from "./db.js";

/** Default shot settings per aggregated benchmark (the authors' BENCHMARK_DEFAULTS). */
export const NJSL_DEFAULT_SETTINGS: Record<string, string[]> = {
  arc_challenge: ["25-shot"],
  hellaswag: ["10-shot"],
  "mmlu_0-shot": ["0-shot"],
  "mmlu_5-shot": ["5-shot"],
  truthfulqa: ["0-shot"],
  winogrande: ["5-shot"],
  lambada: ["0-shot"],
  gsm8k: ["5-shot"],
  minerva: ["5-shot"],
  humaneval: ["0-shot"],
  mathqa: ["0-shot"],
  xnli: ["0-shot"],
  anli: ["0-shot"],
  logiqa2: ["0-shot"],
};

const RENAMED: Record<string, string> = {
  truthfulqa_mc1: "truthfulqa",
  truthfulqa_mc2: "truthfulqa",
  lambada_standard: "lambada",
  lambada_openai: "lambada",
  gsm8k: "gsm8k",
  gsm8k_cot: "gsm8k",
};

/** The aggregated benchmark a raw result row counts towards, or null when it is not used. */
export function aggregatedBenchmark(benchmark: string, setting: string): string | null {
  let mapped: string;
  if (benchmark.startsWith("arithmetic_")) mapped = "arithmetic";
  else if (benchmark.startsWith("xnli_")) mapped = "xnli";
  else if (benchmark.startsWith("anli_")) mapped = "anli";
  else if (benchmark.startsWith("mmlu_")) return `mmlu_${setting}`;
  else mapped = RENAMED[benchmark] ?? benchmark;
  const settings = NJSL_DEFAULT_SETTINGS[mapped];
  return settings && settings.includes(setting) ? mapped : null;
}

export const NJSL_NUMERIC = ["dimension", "num_heads", "mlp_ratio", "sequence_length", "percentage_web", "percentage_code", "percentage_books", "percentage_reference", "percentage_academic", "percentage_english"];
export const NJSL_CATEGORICAL = ["activation", "attention_variant", "biases", "block_type", "layer_norm_type", "positional_embeddings"];

/** Authors' column names to ours. */
export function njslFeatureName(name: string): string {
  if (name === "total_params") return "params";
  if (name === "pretraining_summary_total_tokens_billions") return "tokens";
  return name.startsWith("pretraining_summary_") ? name.slice("pretraining_summary_".length) : name;
}

function num(v: Cell | undefined): number {
  if (v === null || v === undefined || v === "") return NaN;
  const n = typeof v === "number" ? v : Number(v);
  return Number.isFinite(n) ? n : NaN;
}

function isTrue(v: Cell | undefined): boolean {
  return v === true || (typeof v === "string" && v.trim().toLowerCase() === "true");
}

export async function importNjsl(dir: string, _opts: { metric?: string } = {}): Promise<ModelDb> {
  const file = (n: string) => path.join(dir, n);
  for (const n of ["model_annotations.csv", "dataset_info.csv", "evaluation_results.csv"]) {
    if (!existsSync(file(n))) throw new UserError(`${file(n)}: missing from the Not-Just-Scaling export`);
  }
  const skipped: string[] = [];
  const excluded: string[] = [];
  const ann = await readTable(file("model_annotations.csv"));
  const info = await readTable(file("dataset_info.csv"));
  const evals = await readTable(file("evaluation_results.csv"));

  const tokensById = new Map<string, Record<string, Cell>>();
  for (const r of info.rows) if (r.id !== null && !tokensById.has(String(r.id))) tokensById.set(String(r.id), r);

  const freegenFile = file("all_models_feature_stats_3_03_with_ratios.csv");
  const freegen = new Map<string, Record<string, Cell>>();
  let freegenCols: string[] = [];
  if (existsSync(freegenFile)) {
    const fg = await readTable(freegenFile);
    freegenCols = fg.columns.filter((c) => c !== "id");
    for (const r of fg.rows) if (!freegen.has(String(r.id))) freegen.set(String(r.id), r);
  }

  const models: ModelRow[] = [];
  ann.rows.forEach((r, i) => {
    const id = String(r.id ?? "");
    const where = `${ann.source}:${i + 2}`;
    const params = num(r.total_params);
    const d = tokensById.get(id);
    const tokens = d ? num(d.pretraining_summary_total_tokens_billions) : NaN;
    if (!id) return void skipped.push(`${where}: empty id`);
    // the authors' selection: annotated size, known token count, not instruction-tuned
    if (Number.isNaN(params)) return void excluded.push(`${where}: '${id}' has no total_params`);
    if (Number.isNaN(tokens)) return void excluded.push(`${where}: '${id}' has no token count in dataset_info`);
    if (isTrue(r.is_instruction_tuned)) return void excluded.push(`${where}: '${id}' is instruction-tuned`);
    const fields: Record<string, Cell> = {};
    for (const c of ["dimension", "num_heads", "mlp_ratio", "sequence_length"]) fields[c] = num(r[c]);
    for (const c of ["web", "code", "books", "reference", "academic", "english"]) fields[`percentage_${c}`] = num(d![`pretraining_summary_percentage_${c}`]);
    for (const c of NJSL_CATEGORICAL) {
      const v = r[c];
      fields[c] = v === null || v === undefined || String(v).trim() === "" ? "missing" : String(v);
    }
    const fg = freegen.get(id);
    for (const c of freegenCols) fields[c] = fg ? num(fg[c]) : NaN;
    models.push({ id, params, tokens, fields });
  });

  // Results: rename, keep the first row per key, then average the parts of each benchmark.
  const known = new Set(models.map((m) => m.id));
  const firstSeen = new Set<string>();
  const sums = new Map<string, { row: ResultRow; sum: number; n: number }>();
  for (const r of evals.rows) {
    const id = String(r.id ?? "");
    if (!known.has(id)) continue;
    let benchmark = String(r.benchmark ?? "");
    const setting = String(r.setting ?? "");
    const metric = String(r.metric ?? "");
    if (benchmark.startsWith("hendrycksTest-")) benchmark = "mmlu_" + benchmark.slice("hendrycksTest-".length);
    if (benchmark === "arc:challenge") benchmark = "arc_challenge";
    const key = `${id}\u0000${benchmark}\u0000${setting}\u0000${metric}`;
    if (firstSeen.has(key)) continue;
    firstSeen.add(key);
    const agg = aggregatedBenchmark(benchmark, setting);
    if (agg === null) continue;
    // the authors cast scores to float32 before averaging
    const value = Math.fround(num(r.metric_value));
    const akey = `${id}\u0000${agg}\u0000${setting}\u0000${metric}`;
    let s = sums.get(akey);
    if (!s) sums.set(akey, (s = { row: { id, benchmark: agg, setting, metric, value: NaN }, sum: 0, n: 0 }));
    // pandas' mean skips missing values
    if (!Number.isNaN(value)) {
      s.sum += value;
      s.n++;
    }
  }
  const results: ResultRow[] = [];
  for (const s of sums.values()) if (s.n > 0) results.push({ ...s.row, value: s.sum / s.n });

  const columns: FeatureColumn[] = [
    ...NJSL_NUMERIC.map((name) => ({ name, kind: "numeric" as const, group: "design" as const })),
    ...NJSL_CATEGORICAL.map((name) => ({ name, kind: "categorical" as const, group: "design" as const })),
    ...freegenCols.map((name) => ({ name, kind: "numeric" as const, group: "extra" as const })),
  ];

  const publishedSelection = new Map<string, string[]>();
  const selFile = file("forward_generation_results_303.csv");
  if (existsSync(selFile)) {
    const sel = await readTable(selFile);
    for (const r of sel.rows) {
      const names = [...String(r.selected_features ?? "").matchAll(/'([^']+)'/g)].map((m) => njslFeatureName(m[1]));
      publishedSelection.set(`${r.task}|${r.setting}`, names);
    }
  }
  return { source: dir, models, columns, results, publishedSelection, skipped, excluded };
}
