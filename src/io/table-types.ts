/**
 * Column types for small tables, inferred per column the way DuckDB's read_csv_auto /
 * read_json_auto did when it read them (so tables read the same as before DuckDB became an
 * optional backend):
 * - CSV text: a column whose non-empty values all read as numbers is numeric (64-bit integers
 *   and beyond become JS numbers); all true/false/t/f/yes/no (any case) is boolean; otherwise
 *   the text is kept. Empty fields are null. Numbers follow DuckDB's casts: integers may have
 *   surrounding spaces (" 7 "), decimals may not; a leading '+', a leading zero ("007", "01.5")
 *   or '_' make text; "0x1A" is hex; nan (any case) is NaN and 1e400 is Infinity, but inf is
 *   text. Dates keep their text (DuckDB rewrote non-ISO ones, e.g. 2024/01/05, as 2024-01-05).
 * - JSON (and Parquet) values: a column of one kind keeps it; nested objects and lists are
 *   written as DuckDB prints STRUCT and LIST values ({'k': 1}, [1, 2]); a column that mixes
 *   kinds is DuckDB's JSON type: every value as its JSON text.
 */
import type { Cell } from "./table.js";

// DuckDB's casts: integers may have surrounding spaces, doubles may not; neither a '+' nor a leading zero
const INTEGER = /^\s*-?(?:0|[1-9]\d*)\s*$/;
const HEX = /^\s*0[xX][0-9a-fA-F]+\s*$/;
const DOUBLE = /^-?(?:(?:0|[1-9]\d*)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NAN = /^-?nan$/i;
const BOOL: Record<string, boolean> = { true: true, t: true, yes: true, false: false, f: false, no: false };

/** One CSV column's cells from its texts (null for empty fields). */
export function textColumn(values: Array<string | null>): Cell[] {
  const present = values.filter((v): v is string => v !== null);
  if (present.length === 0) return values;
  if (present.every((v) => INTEGER.test(v) || HEX.test(v))) {
    // + 0: an integer column has no -0
    return values.map((v) => (v === null ? null : HEX.test(v) ? parseInt(v.trim().slice(2), 16) : Number(v) + 0));
  }
  if (present.every((v) => DOUBLE.test(v) || NAN.test(v))) return values.map((v) => (v === null ? null : NAN.test(v) ? NaN : Number(v)));
  if (present.every((v) => Object.hasOwn(BOOL, v.toLowerCase()))) return values.map((v) => (v === null ? null : BOOL[v.toLowerCase()]!));
  return values;
}

type Kind = "number" | "boolean" | "string" | "object" | "array" | "other";

function kindOf(v: unknown): Kind {
  if (typeof v === "number" || typeof v === "bigint") return "number";
  if (typeof v === "boolean") return "boolean";
  if (typeof v === "string") return "string";
  if (Array.isArray(v)) return "array";
  if (v instanceof Date) return "other";
  return typeof v === "object" ? "object" : "other";
}

/** One column's cells from parsed values (JSON, Parquet); undefined and null are null. */
export function valueColumn(values: unknown[]): Cell[] {
  const kinds = new Set(values.filter((v) => v !== null && v !== undefined).map(kindOf));
  const mixed = kinds.size > 1;
  return values.map((v) => {
    if (v === null || v === undefined) return null;
    if (mixed) return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? Number(x) : x));
    return scalar(v);
  });
}

function scalar(v: unknown): Cell {
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Date) return dateText(v);
  if (typeof v === "object" && v !== null) return nestedText(v);
  return String(v);
}

/** A timestamp as DuckDB prints one (Parquet DATE columns are turned into days before: table-parquet.ts). */
function dateText(d: Date): string {
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23).replace(/\.000$/, "")}`;
}

/** STRUCT and LIST values as DuckDB prints them. */
function nestedText(v: unknown): string {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "string") return `'${v}'`;
  if (typeof v === "bigint") return String(v);
  if (v instanceof Date) return `'${dateText(v)}'`;
  if (Array.isArray(v)) return `[${v.map(nestedText).join(", ")}]`;
  if (typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `'${k}': ${nestedText(x)}`).join(", ")}}`;
  return String(v);
}
