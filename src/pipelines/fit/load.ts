/**
 * From a table file to fit inputs: resolves `--x`/`--y` (plain column names or derived
 * `name=expression` columns), locates every row as file:line for error messages, and either
 * rejects or (with dropMissing) drops rows with missing values.
 */
import { numericColumn, type Cell, type Table } from "../../io/table.js";
import { readTable } from "../read-table.js";
import { UserError, EXIT } from "../../util/errors.js";
import { evaluateColumnExpression } from "../../models/laws/formula/columns.js";
import { FormulaError } from "../../models/laws/formula/parse.js";

export interface ColumnSpec {
  /** Name shown in output (the column name, or the part before '='). */
  name: string;
  /** Column name or arithmetic expression over columns. */
  source: string;
  derived: boolean;
}

/** `tokens` → a column; `D=\`Training FLOP\`/(6*\`Model Size\`)` → a derived column named D. */
export function parseColumnSpec(spec: string): ColumnSpec {
  const m = /^\s*([A-Za-z_][\w]*)\s*=(.+)$/.exec(spec);
  if (m) return { name: m[1], source: m[2].trim(), derived: true };
  return { name: spec, source: spec, derived: false };
}

export interface LoadedData {
  source: string;
  xNames: string[];
  yName: string;
  x: Float64Array[];
  y: Float64Array;
  /** For each kept point, its location in the file ("data.csv:17"). */
  where: string[];
  /** Rows dropped for missing values (only with dropMissing). */
  dropped: Array<{ where: string; column: string }>;
  /** Labels per point from an optional label column (e.g. model names). */
  labels?: string[];
}

const IN_MEMORY = "(rows in memory)";

/** Rows given in memory: a table whose columns are every key of the rows, in first-seen order. */
export function tableFromRows(rows: Array<Record<string, Cell>>): Table {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (seen.has(k)) continue;
      seen.add(k);
      columns.push(k);
    }
  }
  return { source: IN_MEMORY, columns, rows };
}

/** 1-based line of row i: header line for CSV/TSV, none for JSONL; Parquet/DuckDB have rows, not lines. */
export function rowLocator(file: string): (row: number) => string {
  const lower = file.toLowerCase();
  if (/\.(csv|tsv|txt)(\.gz|\.zst)?$/.test(lower)) return (i) => `${file}:${i + 2}`;
  if (/\.(jsonl|ndjson)(\.gz|\.zst)?$/.test(lower)) return (i) => `${file}:${i + 1}`;
  return (i) => `${file} row ${i + 1}`;
}

function column(t: Table, spec: ColumnSpec, numeric: Record<string, Float64Array>): Float64Array {
  // `N=Model Size` renames a column; anything else after '=' is an expression.
  if (!spec.derived || t.columns.includes(spec.source)) return numericColumn(t, spec.source);
  try {
    return evaluateColumnExpression(spec.source, numeric, t.rows.length);
  } catch (e) {
    if (e instanceof FormulaError) {
      throw new UserError(`${t.source}: --x ${spec.name}: ${e.message}${/unknown column/.test(e.message) ? ` (columns: ${t.columns.join(", ")})` : ""}`, EXIT.usage);
    }
    throw e;
  }
}

/** `col=value` row filters (exact match on the cell's text), all of which must hold. */
export function parseWhere(specs: string[]): Array<{ column: string; value: string }> {
  return specs.map((w) => {
    const i = w.indexOf("=");
    if (i <= 0) throw new UserError(`--where must be column=value, got '${w}'`, EXIT.usage);
    return { column: w.slice(0, i), value: w.slice(i + 1) };
  });
}

/** A table file, or rows in memory (`{ rows }`). */
export async function loadFitData(
  input: string | { file: string } | { rows: Array<Record<string, Cell>> },
  xSpecs: string[],
  ySpec: string,
  opts: { dropMissing?: boolean; label?: string; where?: string[] } = {},
): Promise<LoadedData> {
  const t = typeof input === "string" ? await readTable(input) : "rows" in input ? tableFromRows(input.rows) : await readTable(input.file);
  const file = t.source;
  const filters = parseWhere(opts.where ?? []);
  for (const f of filters) if (!t.columns.includes(f.column)) throw new UserError(`${file}: --where: no column '${f.column}' (columns: ${t.columns.join(", ")})`, EXIT.usage);
  const where = file === IN_MEMORY ? (i: number) => `row ${i + 1} of the rows given` : rowLocator(file);
  const numeric: Record<string, Float64Array> = {};
  for (const c of t.columns) numeric[c] = numericColumn(t, c);
  const xs = xSpecs.map(parseColumnSpec);
  const ys = parseColumnSpec(ySpec);
  const xCols = xs.map((s) => column(t, s, numeric));
  const yCol = column(t, ys, numeric);
  if (opts.label && !t.columns.includes(opts.label)) throw new UserError(`${file}: no column '${opts.label}' (columns: ${t.columns.join(", ")})`);
  const names = [...xs.map((s) => s.name), ys.name];
  const cols = [...xCols, yCol];
  const keep: number[] = [];
  const dropped: LoadedData["dropped"] = [];
  for (let i = 0; i < t.rows.length; i++) {
    if (!filters.every((f) => String(t.rows[i][f.column] ?? "") === f.value)) continue;
    const bad = cols.findIndex((c) => Number.isNaN(c[i]));
    if (bad < 0) {
      keep.push(i);
      continue;
    }
    const spec = bad < xs.length ? xs[bad] : ys;
    const plain = !spec.derived || t.columns.includes(spec.source);
    const raw = plain ? t.rows[i][spec.source] : undefined;
    const what = !plain ? "is not a number (from its expression)" : raw === null || raw === "" ? "is missing" : `is not a number ('${String(raw)}')`;
    if (!opts.dropMissing) {
      throw new UserError(`${where(i)}: ${names[bad]} ${what} (use --drop-missing to skip such rows)`, EXIT.badInput);
    }
    dropped.push({ where: where(i), column: names[bad] });
  }
  const pick = (c: Float64Array) => Float64Array.from(keep, (i) => c[i]);
  return {
    source: file,
    xNames: xs.map((s) => s.name),
    yName: ys.name,
    x: xCols.map(pick),
    y: pick(yCol),
    where: keep.map(where),
    dropped,
    labels: opts.label ? keep.map((i) => String(t.rows[i][opts.label!] ?? "")) : undefined,
  };
}
