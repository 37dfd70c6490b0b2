/**
 * CSV/TSV rows (RFC 4180): quoted fields may hold the separator, newlines and doubled quotes.
 * One parser for target files and tables. Each row keeps the line it starts on, for messages;
 * blank lines are skipped; a quote left open at the end of the file is an error naming the line
 * it was opened on (a silently swallowed rest-of-file would be worse). A line of separators only
 * (",,") is a row of empty fields, as DuckDB reads it.
 */
import { UserError } from "../util/errors.js";

export interface DelimitedRow {
  fields: string[];
  /** 1-based line the row starts on. */
  line: number;
}

export function parseDelimited(text: string, sep: string, source: string): DelimitedRow[] {
  const rows: DelimitedRow[] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let quoteLine = 0;
  const endRow = () => {
    row.push(field);
    field = "";
    if (row.length > 1 || row[0] !== "") rows.push({ fields: row, line: rowLine });
    row = [];
  };
  // a byte order mark is not part of the first column's name
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === "\n") line++;
        field += c;
      }
    } else if (c === '"' && field === "") {
      quoted = true;
      quoteLine = line;
    } else if (c === sep) {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRow();
      line++;
      rowLine = line;
    } else field += c;
  }
  if (quoted) throw new UserError(`${source}:${quoteLine}: unterminated quoted field (the quote opened on line ${quoteLine} is never closed)`);
  endRow();
  return rows;
}
