/**
 * DuckDB as a test peer and for .duckdb inputs: the optional `duckdb` backend
 * (`datatailor backends install duckdb`, as .ci/run does). Missing: tests skip locally and fail
 * under CI=true (requireTool).
 */
import { backendStatus, loadOptional } from "../../src/util/optional.js";
import type { DuckDbApi } from "../../src/backends/duckdb-table.js";
import { requireTool } from "./system.js";

export function duckdbPresent(): boolean {
  return requireTool("@duckdb/node-api (datatailor backends install duckdb)", backendStatus("duckdb").source !== null);
}

export function loadDuckdb(): Promise<DuckDbApi> {
  return loadOptional<DuckDbApi>("duckdb");
}
