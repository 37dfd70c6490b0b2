/**
 * Small tabular inputs (scaling-law points, model databases): CSV, TSV, JSONL/JSON, Parquet,
 * or a table inside a DuckDB file, read through DuckDB so types are inferred the same way
 * everywhere. Returns plain rows; these tables are thousands of rows, not corpora.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { UserError } from "../util/errors.js";

export type Cell = string | number | boolean | null;
export interface Table {
  source: string;
  columns: string[];
  rows: Array<Record<string, Cell>>;
}

function sqlString(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}

export function tableScanSql(file: string): string {
  const lower = file.toLowerCase();
  const f = sqlString(file);
  if (lower.endsWith(".parquet")) return `read_parquet(${f})`;
  if (/\.(jsonl|ndjson|json)(\.gz|\.zst)?$/.test(lower)) return `read_json_auto(${f})`;
  if (/\.(csv|tsv|txt)(\.gz|\.zst)?$/.test(lower)) return `read_csv_auto(${f}, header=true)`;
  throw new UserError(`${file}: unsupported table format (use .csv, .tsv, .jsonl, .json, .parquet or a .duckdb table)`);
}

function toCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "bigint") return Number(v);
  return String(v);
}

/**
 * Reads a whole table. `file` may be `db.duckdb:table` (or `db.duckdb` with `table`) to read
 * from a DuckDB database file.
 */
export async function readTable(file: string, opts: { table?: string } = {}): Promise<Table> {
  let dbFile: string | undefined;
  let table = opts.table;
  const m = /^(.*\.(?:duckdb|db))(?::([A-Za-z_][\w]*))?$/.exec(file);
  if (m) {
    dbFile = m[1];
    table = m[2] ?? table;
    if (!table) throw new UserError(`${file}: name the table to read, as ${file}:<table>`);
  }
  const target = dbFile ?? file;
  if (!existsSync(target)) throw new UserError(`${target}: no such file`);
  const instance = await DuckDBInstance.create(":memory:");
  const con = await instance.connect();
  try {
    let from: string;
    if (dbFile) {
      await con.run(`ATTACH ${sqlString(path.resolve(dbFile))} AS src (READ_ONLY)`);
      from = `src.${table}`;
    } else {
      from = tableScanSql(file);
    }
    const reader = await con.runAndReadAll(`SELECT * FROM ${from}`);
    const columns = reader.columnNames();
    const rows = reader.getRowObjects().map((r) => {
      const out: Record<string, Cell> = {};
      for (const c of columns) out[c] = toCell(r[c]);
      return out;
    });
    return { source: file, columns, rows };
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${file}: cannot read table: ${(err as Error).message.split("\n")[0]}`);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
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
