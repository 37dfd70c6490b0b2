/**
 * Small tabular inputs (scaling-law points, model databases): CSV, TSV, JSONL/JSON (plain, .gz
 * or .zst) and Parquet, read by the project's own readers with types inferred per column as
 * DuckDB did (table-types.ts). Tables inside DuckDB database files (`db.duckdb:table`) need the
 * optional DuckDB backend: see readTable in pipelines/read-table.ts. Returns plain rows; these
 * tables are thousands of rows, not corpora.
 */
import { existsSync } from "node:fs";
import { UserError } from "../util/errors.js";
import { readTextFile } from "./read-text.js";
import { csvTable } from "./table-csv.js";
import { jsonTable } from "./table-json.js";
import { parquetTable } from "./table-parquet.js";

export type Cell = string | number | boolean | null;
export interface Table {
  source: string;
  columns: string[];
  rows: Array<Record<string, Cell>>;
}

/** `db.duckdb:table` (or `db.db:table`): the database file and the table, when `file` names one. */
export function databaseTable(file: string, table?: string): { db: string; table: string } | undefined {
  const m = /^(.*\.(?:duckdb|db))(?::([A-Za-z_][\w]*))?$/.exec(file);
  if (!m) return undefined;
  const name = m[2] ?? table;
  if (!name) throw new UserError(`${file}: name the table to read, as ${file}:<table>`);
  return { db: m[1]!, table: name };
}

/** A CSV, TSV, JSON/JSONL or Parquet table file. */
export async function readFileTable(file: string): Promise<Table> {
  if (!existsSync(file)) throw new UserError(`${file}: no such file`);
  const lower = file.toLowerCase();
  if (lower.endsWith(".parquet")) return parquetTable(file);
  const json = /\.(jsonl|ndjson|json)(\.gz|\.zst)?$/.test(lower);
  const delimited = /\.(csv|tsv|txt)(\.gz|\.zst)?$/.exec(lower);
  if (!json && !delimited) throw new UserError(`${file}: unsupported table format (use .csv, .tsv, .jsonl, .json, .parquet or a .duckdb table)`);
  const text = await readTextFile(file);
  if (json) return jsonTable(file, text);
  // .txt: tab-separated when its header line has a tab
  const sep = delimited![1] === "tsv" || (delimited![1] === "txt" && /^[^\n]*\t/.test(text)) ? "\t" : ",";
  return csvTable(file, text, sep);
}

/** The named column as numbers; names the file and the column when it is missing. */
export function numericColumn(t: Table, name: string): Float64Array {
  if (!t.columns.includes(name)) throw new UserError(`${t.source}: no column '${name}' (columns: ${t.columns.join(", ")})`);
  const out = new Float64Array(t.rows.length);
  t.rows.forEach((r, i) => {
    const v = r[name];
    out[i] = v === null || v === "" ? NaN : Number(v);
  });
  return out;
}
