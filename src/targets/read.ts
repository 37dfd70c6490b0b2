/**
 * Reads target files as users have them: JSONL (plain, .gz or .zst, through the corpus
 * readers' decompression), a JSON array, Parquet (rows as objects), CSV/TSV with a header row,
 * or plain text (one example per line).
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { parquetMetadataAsync } from "hyparquet";
import { parseDelimited } from "../io/delimited.js";
import { openParquetFile, readParquetRows } from "../io/parquet-read.js";
import { readTextFile } from "../io/read-text.js";
import { UserError } from "../util/errors.js";
import { pushAll } from "../util/array.js";

export const TARGET_EXTENSIONS = [".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".json", ".parquet", ".csv", ".tsv", ".txt"];

export interface RawRecord {
  value: unknown;
  /** 0-based row in its file (non-blank lines for JSONL/text, array position for JSON). */
  index: number;
  /** 1-based line number for messages. */
  line: number;
}

/** Files picked up when walking a directory; .txt only counts when named explicitly (directories hold README/LICENSE .txt files). */
function hasTargetExtension(file: string): boolean {
  const lower = file.toLowerCase();
  return TARGET_EXTENSIONS.some((e) => e !== ".txt" && lower.endsWith(e));
}

/** Expands directories (recursively, sorted) into target files; plain files are taken as given. */
export async function expandTargetInputs(inputs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    let st;
    try {
      st = await stat(input);
    } catch {
      throw new UserError(`${input}: no such target file or directory`);
    }
    if (st.isDirectory()) {
      const found = await walk(input);
      if (found.length === 0) throw new UserError(`${input}: no target files (${TARGET_EXTENSIONS.join(", ")}) in this directory`);
      pushAll(out, found);
    } else out.push(input);
  }
  return [...new Set(out)];
}

async function walk(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) pushAll(files, await walk(p));
    else if (e.isFile() && hasTargetExtension(e.name)) files.push(p);
  }
  return files;
}

async function readParquetTargets(file: string): Promise<RawRecord[]> {
  let handle;
  try {
    handle = await openParquetFile(file);
    const metadata = await parquetMetadataAsync(handle.file);
    const rows = await readParquetRows(handle.file, metadata, 0, Number(metadata.num_rows));
    return rows.map((value, index) => ({ value, index, line: index + 1 }));
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${file}: not a readable Parquet file (${(e as Error).message})`);
  } finally {
    await handle?.close();
  }
}

export async function readTargetRecords(file: string): Promise<RawRecord[]> {
  const lower = file.toLowerCase();
  if (lower.endsWith(".parquet")) return readParquetTargets(file);
  const text = await readTextFile(file);
  if (lower.endsWith(".csv") || lower.endsWith(".tsv")) {
    // rows of empty fields only hold no example
    const rows = parseDelimited(text, lower.endsWith(".tsv") ? "\t" : ",", file).filter((r) => r.fields.some((f) => f !== ""));
    if (rows.length < 2) throw new UserError(`${file}: a CSV/TSV target file needs a header row and at least one example`);
    const header = rows[0]!.fields;
    return rows.slice(1).map((r, index) => ({ value: Object.fromEntries(header.map((h, j) => [h, r.fields[j] ?? ""])), index, line: r.line }));
  }
  if (lower.endsWith(".txt")) {
    const recs: RawRecord[] = [];
    text.split("\n").forEach((l, i) => {
      if (l.trim()) recs.push({ value: { text: l.replace(/\r$/, "") }, index: recs.length, line: i + 1 });
    });
    return recs;
  }
  if (lower.endsWith(".json") && text.trimStart().startsWith("[")) {
    let arr: unknown;
    try {
      arr = JSON.parse(text);
    } catch (e) {
      throw new UserError(`${file}: invalid JSON (${(e as Error).message})`);
    }
    return (arr as unknown[]).map((value, index) => ({ value, index, line: index + 1 }));
  }
  const recs: RawRecord[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(l);
    } catch (e) {
      throw new UserError(`${file}:${i + 1}: invalid JSON (${(e as Error).message})`);
    }
    recs.push({ value, index: recs.length, line: i + 1 });
  }
  return recs;
}
