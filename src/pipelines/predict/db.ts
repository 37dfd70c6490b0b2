/**
 * The model database `predict` learns from: one row per model (`id`, `params`, `tokens`, then
 * numeric or categorical design columns; empty, NaN and -1 mean missing) and a results table
 * (`id, benchmark, setting, metric, value`). Read from CSV/TSV/JSONL/Parquet files or tables of
 * a DuckDB file; the Not-Just-Scaling export is imported by ./njsl.ts into the same shape.
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { Cell, Table } from "../../io/table.js";
import { readTable } from "../read-table.js";
import { UserError } from "../../util/errors.js";

export type ColumnKind = "numeric" | "categorical";

export interface FeatureColumn {
  name: string;
  kind: ColumnKind;
  /** "design": architecture and data mix; "extra": other measured features (not in `all`) */
  group: "design" | "extra";
}

export interface ModelRow {
  id: string;
  params: number;
  tokens: number;
  fields: Record<string, Cell>;
}

export interface ResultRow {
  id: string;
  benchmark: string;
  setting: string;
  metric: string;
  value: number;
}

export interface ModelDb {
  source: string;
  models: ModelRow[];
  columns: FeatureColumn[];
  results: ResultRow[];
  /** per `benchmark|setting`, a published feature selection (the NJSL authors') */
  publishedSelection: Map<string, string[]>;
  /** malformed rows skipped while loading, with file, line and reason */
  skipped: string[];
  /** well-formed rows left out by the database's own protocol (e.g. instruction-tuned models) */
  excluded: string[];
}

/** Missing per the database convention: null, empty, NaN, or the number -1. */
export function isMissing(v: Cell | undefined): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === "number") return Number.isNaN(v) || v === -1;
  if (typeof v === "string") {
    const t = v.trim();
    return t === "" || t.toLowerCase() === "nan" || t === "-1";
  }
  return false;
}

function asNumber(v: Cell | undefined): number {
  if (isMissing(v)) return NaN;
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return NaN;
  const n = Number(String(v).trim());
  return Number.isFinite(n) ? n : NaN;
}

/** Numeric when every present value parses as a finite number; categorical otherwise. */
export function inferKind(values: Cell[]): ColumnKind {
  for (const v of values) {
    if (isMissing(v)) continue;
    if (typeof v === "number") continue;
    if (typeof v === "string" && Number.isFinite(Number(v.trim()))) continue;
    return "categorical";
  }
  return "numeric";
}

const RESERVED = new Set(["id", "params", "tokens"]);

/** Builds the models part from a table; rows without a usable id, params or tokens are skipped. */
export function modelsFromTable(t: Table, skipped: string[]): { models: ModelRow[]; columns: FeatureColumn[] } {
  for (const c of ["id", "params", "tokens"]) {
    if (!t.columns.includes(c)) throw new UserError(`${t.source}: models table needs columns id, params, tokens (missing '${c}')`);
  }
  const models: ModelRow[] = [];
  const seen = new Set<string>();
  t.rows.forEach((r, i) => {
    const line = i + 2;
    const id = r.id === null ? "" : String(r.id).trim();
    const params = asNumber(r.params);
    const tokens = asNumber(r.tokens);
    if (!id) return void skipped.push(`${t.source}:${line}: empty id`);
    if (seen.has(id)) return void skipped.push(`${t.source}:${line}: duplicate id '${id}'`);
    if (!(params > 0)) return void skipped.push(`${t.source}:${line}: '${id}' has no positive params`);
    if (!(tokens > 0)) return void skipped.push(`${t.source}:${line}: '${id}' has no positive tokens`);
    seen.add(id);
    const fields: Record<string, Cell> = {};
    for (const c of t.columns) if (!RESERVED.has(c)) fields[c] = r[c];
    models.push({ id, params, tokens, fields });
  });
  const columns: FeatureColumn[] = t.columns
    .filter((c) => !RESERVED.has(c))
    .map((name) => ({ name, kind: inferKind(models.map((m) => m.fields[name])), group: "design" as const }));
  return { models, columns };
}

export function resultsFromTable(t: Table, skipped: string[]): ResultRow[] {
  for (const c of ["id", "benchmark", "value"]) {
    if (!t.columns.includes(c)) throw new UserError(`${t.source}: results table needs columns id, benchmark, value (missing '${c}')`);
  }
  const out: ResultRow[] = [];
  t.rows.forEach((r, i) => {
    const value = typeof r.value === "number" ? r.value : Number(r.value);
    if (r.value === null || !Number.isFinite(value)) return void skipped.push(`${t.source}:${i + 2}: value '${r.value}' is not a number`);
    out.push({
      id: String(r.id),
      benchmark: String(r.benchmark),
      setting: r.setting === null || r.setting === undefined ? "" : String(r.setting),
      metric: r.metric === null || r.metric === undefined ? "score" : String(r.metric),
      value,
    });
  });
  return out;
}

const TABLE_EXTS = [".csv", ".tsv", ".jsonl", ".json", ".parquet", ".csv.gz", ".jsonl.gz"];

function findTable(dir: string, name: string): string | null {
  for (const ext of TABLE_EXTS) {
    const f = path.join(dir, name + ext);
    if (existsSync(f)) return f;
  }
  return null;
}

/**
 * Opens a database given as: a directory holding `models.*` and `results.*` tables, a directory
 * holding the Not-Just-Scaling export (model_annotations.csv, dataset_info.csv,
 * evaluation_results.csv), a DuckDB file with `models` and `results` tables, or explicit files.
 */
export async function loadModelDb(spec: { db?: string; models?: string; results?: string }, opts: { metric?: string } = {}): Promise<ModelDb> {
  const skipped: string[] = [];
  let modelsFile = spec.models;
  let resultsFile = spec.results;
  if (spec.db) {
    if (!existsSync(spec.db)) throw new UserError(`${spec.db}: no such file or directory`);
    if (statSync(spec.db).isDirectory()) {
      if (existsSync(path.join(spec.db, "model_annotations.csv")) && existsSync(path.join(spec.db, "evaluation_results.csv"))) {
        const { importNjsl } = await import("./njsl.js");
        return importNjsl(spec.db, { metric: opts.metric });
      }
      modelsFile ??= findTable(spec.db, "models") ?? undefined;
      resultsFile ??= findTable(spec.db, "results") ?? undefined;
      if (!modelsFile || !resultsFile) throw new UserError(`${spec.db}: expected models.<csv|jsonl|parquet> and results.<...> tables, or a Not-Just-Scaling export`);
    } else if (/\.(duckdb|db)$/.test(spec.db)) {
      modelsFile ??= `${spec.db}:models`;
      resultsFile ??= `${spec.db}:results`;
    } else throw new UserError(`${spec.db}: --db must be a directory or a .duckdb file`);
  }
  if (!modelsFile || !resultsFile) throw new UserError("give --db, or both --models and --results");
  const mt = await readTable(modelsFile);
  const rt = await readTable(resultsFile);
  const { models, columns } = modelsFromTable(mt, skipped);
  const results = resultsFromTable(rt, skipped);
  return { source: spec.db ?? modelsFile, models, columns, results, publishedSelection: new Map(), skipped, excluded: [] };
}

/** Benchmarks present, with their settings, metrics and how many models have a value. */
export function benchmarkSummary(db: ModelDb): Array<{ benchmark: string; setting: string; metric: string; n: number }> {
  const ids = new Set(db.models.map((m) => m.id));
  const count = new Map<string, Set<string>>();
  for (const r of db.results) {
    if (!ids.has(r.id)) continue;
    const k = `${r.benchmark}\u0000${r.setting}\u0000${r.metric}`;
    let s = count.get(k);
    if (!s) count.set(k, (s = new Set()));
    s.add(r.id);
  }
  return [...count.entries()]
    .map(([k, s]) => {
      const [benchmark, setting, metric] = k.split("\u0000");
      return { benchmark, setting, metric, n: s.size };
    })
    .sort((a, b) => a.benchmark.localeCompare(b.benchmark) || a.setting.localeCompare(b.setting) || a.metric.localeCompare(b.metric));
}
