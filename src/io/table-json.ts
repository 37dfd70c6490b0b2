/** JSON tables: an array of objects, or one object per line (JSONL); columns in order of first appearance. */
import { UserError } from "../util/errors.js";
import type { Table } from "./table.js";
import { valueColumn } from "./table-types.js";

function records(file: string, text: string): Array<{ value: unknown; line: number }> {
  const body = text.replace(/^\uFEFF/, "");
  if (body.trimStart().startsWith("[")) {
    let arr: unknown[];
    try {
      arr = JSON.parse(body) as unknown[];
    } catch (e) {
      throw new UserError(`${file}: invalid JSON (${(e as Error).message})`);
    }
    return arr.map((value, i) => ({ value, line: i + 1 }));
  }
  const out: Array<{ value: unknown; line: number }> = [];
  body.split("\n").forEach((l, i) => {
    if (!l.trim()) return;
    try {
      out.push({ value: JSON.parse(l), line: i + 1 });
    } catch (e) {
      throw new UserError(`${file}:${i + 1}: invalid JSON (${(e as Error).message})`);
    }
  });
  return out;
}

/** Rows from objects (JSON lines, Parquet rows): columns are the keys in order of first appearance. */
export function objectsTable(file: string, objs: Array<Record<string, unknown>>, columns?: string[]): Table {
  const cols = columns ?? [...new Set(objs.flatMap((o) => Object.keys(o)))];
  const cells = cols.map((c) => valueColumn(objs.map((o) => o[c])));
  return { source: file, columns: cols, rows: objs.map((_, i) => Object.fromEntries(cols.map((c, j) => [c, cells[j]![i]!]))) };
}

export function jsonTable(file: string, text: string): Table {
  const recs = records(file, text);
  for (const r of recs) {
    if (typeof r.value !== "object" || r.value === null || Array.isArray(r.value)) {
      throw new UserError(`${file}: ${text.trimStart().startsWith("[") ? "element" : "line"} ${r.line} is not an object (a table is an array of objects or one object per line)`);
    }
  }
  return objectsTable(file, recs.map((r) => r.value as Record<string, unknown>));
}
