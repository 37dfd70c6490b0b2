/** CSV/TSV tables: a header row, then one row per line (RFC 4180 quoting), types per column (table-types.ts). */
import { UserError } from "../util/errors.js";
import { parseDelimited } from "./delimited.js";
import type { Table } from "./table.js";
import { textColumn } from "./table-types.js";

/** Column names as DuckDB gives them: an empty name is column<i>, a repeated one gets _1, _2... */
export function columnNames(header: string[]): string[] {
  const seen = new Set<string>();
  return header.map((h, i) => {
    let name = h === "" ? `column${i}` : h;
    for (let k = 1; seen.has(name); k++) name = `${h === "" ? `column${i}` : h}_${k}`;
    seen.add(name);
    return name;
  });
}

export function csvTable(file: string, text: string, sep: string): Table {
  const rows = parseDelimited(text, sep, file);
  if (rows.length === 0) throw new UserError(`${file}: empty table (a header row is required)`);
  const columns = columnNames(rows[0]!.fields);
  const body = rows.slice(1);
  for (const r of body) {
    if (r.fields.length !== columns.length) {
      throw new UserError(`${file}:${r.line}: ${r.fields.length} field${r.fields.length === 1 ? "" : "s"}, but the header has ${columns.length} (is a field with a ${sep === "\t" ? "tab" : "comma"} missing its quotes?)`);
    }
  }
  const cells = columns.map((_, j) => textColumn(body.map((r) => (r.fields[j] === "" ? null : r.fields[j]!))));
  return {
    source: file,
    columns,
    rows: body.map((_, i) => Object.fromEntries(columns.map((c, j) => [c, cells[j]![i]!]))),
  };
}
