/**
 * The pipelines' table inputs: CSV/TSV/JSON/Parquet files (io/table.ts), or `db.duckdb:table`
 * (`db.duckdb` with `table`) from a DuckDB database file through the optional duckdb backend.
 */
import { existsSync } from "node:fs";
import { databaseTable, readFileTable, type Table } from "../io/table.js";
import { UserError } from "../util/errors.js";

export async function readTable(file: string, opts: { table?: string } = {}): Promise<Table> {
  const db = databaseTable(file, opts.table);
  if (!db) return readFileTable(file);
  if (!existsSync(db.db)) throw new UserError(`${db.db}: no such file`);
  const { readDuckdbTable } = await import("../backends/duckdb-table.js");
  return readDuckdbTable(file, db.db, db.table);
}
