/**
 * Tables inside DuckDB database files (`db.duckdb:table`), through the optional `duckdb` backend
 * (@duckdb/node-api, 70 MB, installed on demand: `datatailor backends install duckdb`). Only
 * database files need it; CSV/TSV/JSON/Parquet tables are read by io/table.ts.
 */
import path from "node:path";
import type { Cell, Table } from "../io/table.js";
import { UserError } from "../util/errors.js";
import { loadOptional } from "../util/optional.js";

/** The slice of @duckdb/node-api that datatailor and its tests use (it is not a compile-time dependency). */
export interface DuckDbConnection {
  run(sql: string): Promise<unknown>;
  runAndReadAll(sql: string): Promise<{
    columnNames(): string[];
    getRows(): unknown[][];
    getRowObjects(): Array<Record<string, unknown>>;
    getRowObjectsJS(): Array<Record<string, unknown>>;
  }>;
  closeSync(): void;
}
export interface DuckDbInstance {
  connect(): Promise<DuckDbConnection>;
  closeSync(): void;
}
export interface DuckDbApi {
  DuckDBInstance: { create(path: string, options?: Record<string, string>): Promise<DuckDbInstance> };
}

function sqlString(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}

function toCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "bigint") return Number(v);
  return String(v);
}

export async function readDuckdbTable(source: string, dbFile: string, table: string): Promise<Table> {
  const { DuckDBInstance } = await loadOptional<DuckDbApi>("duckdb");
  const instance = await DuckDBInstance.create(":memory:");
  const con = await instance.connect();
  try {
    await con.run(`ATTACH ${sqlString(path.resolve(dbFile))} AS src (READ_ONLY)`);
    const reader = await con.runAndReadAll(`SELECT * FROM src.${table}`);
    const columns = reader.columnNames();
    const rows = reader.getRowObjects().map((r) => Object.fromEntries(columns.map((c) => [c, toCell(r[c])])));
    return { source, columns, rows };
  } catch (err) {
    throw new UserError(`${source}: cannot read table: ${(err as Error).message.split("\n")[0]}`);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
