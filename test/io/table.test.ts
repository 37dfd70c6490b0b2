/**
 * Tables (io/table.ts, pipelines/read-table.ts): CSV/TSV/JSON/Parquet through the project's own
 * readers, with the column types DuckDB's read_csv_auto / read_json_auto inferred (expected
 * values written out by hand from the fixtures); malformed CSV is an error naming file and line;
 * `db.duckdb:table` goes through the optional duckdb backend, which also serves as a peer for
 * the CSV inference (skipped locally without it, a failure under CI=true).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { compress } from "../helpers/zstd.js";
import { describe, expect, it } from "vitest";
import { readFileTable } from "../../src/io/table.js";
import { writeParquetColumns } from "../../src/io/index.js";
import { readTable } from "../../src/pipelines/read-table.js";
import { readTargetRecords } from "../../src/targets/read.js";
import { runCli } from "../helpers/cli.js";
import { duckdbPresent, loadDuckdb } from "../helpers/duckdb.js";

const dir = mkdtempSync(path.join(tmpdir(), "dt-table-"));
const file = (name: string, content: string | Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

// one column per inference rule: integers may carry spaces, decimals may not; "+8", "007" and
// "inf" are text in DuckDB, "nan" is NaN; -0 is 0 in an integer column and stays -0 in a decimal one
const FIELDS = [
  ["n", "x", "sp", "dsp", "flag", "s", "lead", "plus", "hex", "e", "nan", "inf", "blank", "name", "", "n"],
  ["1", "1.50", "1", "1.5", "true", "a", "007", "+8", "0x1A", "1e3", "NaN", "inf", "", '"x, ""y"""', "5", "9"],
  ["-2", ".5", " 7 ", " 2 ", "F", "", "1", "9", "1", "2.5E-3", "1e400", "1", '""', '"multi\nline"', "6", "10"],
  ["30", "7", "3 ", "3", "yes", '""', "2", "3", "2", "-0", "2.5", "2", "", "plain", "-0", "11"],
];
const CSV = FIELDS.map((r) => r.join(",")).join("\r\n");
const TSV = FIELDS.map((r) => r.join("\t")).join("\n");
const EXPECTED_COLUMNS = ["n", "x", "sp", "dsp", "flag", "s", "lead", "plus", "hex", "e", "nan", "inf", "blank", "name", "column14", "n_1"];
const EXPECTED_ROWS = [
  { n: 1, x: 1.5, sp: 1, dsp: "1.5", flag: true, s: "a", lead: "007", plus: "+8", hex: 26, e: 1000, nan: NaN, inf: "inf", blank: null, name: 'x, "y"', column14: 5, n_1: 9 },
  { n: -2, x: 0.5, sp: 7, dsp: " 2 ", flag: false, s: null, lead: "1", plus: "9", hex: 1, e: 0.0025, nan: Infinity, inf: "1", blank: null, name: "multi\nline", column14: 6, n_1: 10 },
  { n: 30, x: 7, sp: 3, dsp: "3", flag: true, s: null, lead: "2", plus: "3", hex: 2, e: -0, nan: 2.5, inf: "2", blank: null, name: "plain", column14: 0, n_1: 11 },
];

describe("tables through the project's readers", () => {
  it("CSV: numbers, booleans, nulls and text per column, as DuckDB typed them", async () => {
    const t = await readFileTable(file("points.csv", CSV));
    expect(t.columns).toEqual(EXPECTED_COLUMNS);
    expect(t.rows).toEqual(EXPECTED_ROWS);
    expect(Object.is(t.rows[2]!.column14, 0)).toBe(true);
  });

  it("TSV by extension, .gz and .zst give the same table", async () => {
    expect((await readFileTable(file("points.tsv", TSV))).rows).toEqual(EXPECTED_ROWS);
    expect((await readFileTable(file("points.csv.gz", gzipSync(CSV)))).rows).toEqual(EXPECTED_ROWS);
    expect((await readFileTable(file("points.csv.zst", compress(Buffer.from(CSV))))).rows).toEqual(EXPECTED_ROWS);
  });

  it("a row of empty fields is a row of nulls; blank lines are skipped; a BOM is not part of a name", async () => {
    const t = await readFileTable(file("gaps.csv", "\uFEFFa,b\n1,2\n\n,\n3,4\n"));
    expect(t.columns).toEqual(["a", "b"]);
    expect(t.rows).toEqual([{ a: 1, b: 2 }, { a: null, b: null }, { a: 3, b: 4 }]);
  });

  it("JSON lines and a JSON array: union of keys, one kind per column, mixed kinds as JSON text, nested as DuckDB prints them", async () => {
    const lines = [
      { id: "m1", p: 1, ok: true, tag: "x", meta: { k: 1, s: "a" }, v: [1, 2] },
      { id: "m2", p: 2.5, tag: 3, extra: null, meta: { k: 2, s: null }, v: [] },
    ];
    const expected = [
      { id: "m1", p: 1, ok: true, tag: '"x"', meta: "{'k': 1, 's': 'a'}", v: "[1, 2]", extra: null },
      { id: "m2", p: 2.5, ok: null, tag: "3", meta: "{'k': 2, 's': NULL}", v: "[]", extra: null },
    ];
    const jl = await readFileTable(file("m.jsonl", lines.map((l) => JSON.stringify(l)).join("\n") + "\n\n"));
    expect(jl.columns).toEqual(["id", "p", "ok", "tag", "meta", "v", "extra"]);
    expect(jl.rows).toEqual(expected);
    expect((await readFileTable(file("m.json", JSON.stringify(lines)))).rows).toEqual(expected);
    expect((await readFileTable(file("m.jsonl.gz", gzipSync(lines.map((l) => JSON.stringify(l)).join("\n"))))).rows).toEqual(expected);
  });

  it("Parquet: columns in schema order, 64-bit integers as numbers", async () => {
    const p = path.join(dir, "t.parquet");
    await writeParquetColumns(p, { id: ["a", "b"], n: [1n, 9007199254740993n], y: Float64Array.from([0.5, -1]), ok: [true, null] });
    const t = await readFileTable(p);
    expect(t.columns).toEqual(["id", "n", "y", "ok"]);
    expect(t.rows).toEqual([
      { id: "a", n: 1, y: 0.5, ok: true },
      { id: "b", n: 9007199254740992, y: -1, ok: null },
    ]);
  });

  it("malformed CSV: an unterminated quote and a ragged row name the file and the line", async () => {
    const unterminated = file("open.csv", 'a,b\n1,2\n3,"never closed\n4,5\n');
    await expect(readFileTable(unterminated)).rejects.toThrow(`${unterminated}:3: unterminated quoted field`);
    const ragged = file("ragged.csv", 'a,b\n1,2\n"x\ny",2\n3\n');
    await expect(readFileTable(ragged)).rejects.toThrow(`${ragged}:5: 1 field, but the header has 2`);
    const wide = file("wide.tsv", "a\tb\n1\t2\t3\n");
    await expect(readFileTable(wide)).rejects.toThrow(`${wide}:2: 3 fields, but the header has 2`);
    // target files share the parser: the same error, not a silently swallowed rest of file
    await expect(readTargetRecords(unterminated)).rejects.toThrow(`${unterminated}:3: unterminated quoted field`);
  });

  it("target CSV rows keep the line they start on", async () => {
    const recs = await readTargetRecords(file("targets.csv", 'text,label\n"two\nlines",a\n\nthird,b\n'));
    expect(recs.map((r) => [r.value, r.line])).toEqual([
      [{ text: "two\nlines", label: "a" }, 2],
      [{ text: "third", label: "b" }, 5],
    ]);
  });

  it("unsupported extensions and missing files are one-line errors", async () => {
    await expect(readFileTable(file("t.xlsx", ""))).rejects.toThrow(/unsupported table format/);
    await expect(readTable(path.join(dir, "nope.duckdb:t"))).rejects.toThrow(/nope\.duckdb: no such file/);
    await expect(readTable(file("x.duckdb", ""))).rejects.toThrow(/name the table to read/);
  });

  it("without the duckdb backend a .duckdb table names the command that installs it", async () => {
    const db = file("none.duckdb", "");
    const empty = mkdtempSync(path.join(tmpdir(), "dt-nobackends-"));
    const r = await runCli(["fit", `${db}:points`, "--law", "power", "--x", "N", "--y", "loss"], { env: { ...process.env, DATATAILOR_BACKENDS_DIR: empty } });
    expect(r.code).not.toBe(0);
    // the project's node_modules has no @duckdb/node-api since it became an optional backend
    expect(r.stderr).toMatch(/needs @duckdb\/node-api@[\d.]+-r\.\d+, which is not installed; install it with: datatailor backends install duckdb/);
  });
});

describe("DuckDB: database files, and the same types as its own CSV reader", () => {
  it("reads db.duckdb:table, and DuckDB's read_csv_auto types the fixture CSV as we do", async (ctx) => {
    if (!duckdbPresent()) return ctx.skip();
    const { DuckDBInstance } = await loadDuckdb();
    const db = path.join(dir, "points.duckdb");
    const csv = path.join(dir, "points.csv");
    writeFileSync(csv, CSV);
    const inst = await DuckDBInstance.create(db);
    const con = await inst.connect();
    await con.run(`CREATE TABLE points AS SELECT * FROM read_csv_auto('${csv}', header=true)`);
    con.closeSync();
    inst.closeSync();
    const t = await readTable(`${db}:points`);
    expect(t.columns).toEqual(EXPECTED_COLUMNS);
    expect(t.rows).toEqual(EXPECTED_ROWS);
    await expect(readTable(`${db}:missing`)).rejects.toThrow(/cannot read table/);
  });
});
