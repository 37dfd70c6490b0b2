/**
 * Reads fine-tuning, demo and test sets: the paper's JSON arrays (`[{"input", "output", ...}]`)
 * and everything src/io reads (JSONL, .jsonl.gz, .jsonl.zst, Parquet). Every record needs the
 * template's fields and `output`; a record without them is bad input (file, line, reason),
 * counted and skipped, or under --strict the end of the run (exit 3).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { UserError, usageError } from "../../util/errors.js";
import type { BadInputLog } from "../../io/bad-input.js";
import { readRecords } from "../../io/read.js";
import { detectFormat } from "../../io/formats.js";

export interface TuneItem {
  /** Template fields and output, as strings. */
  fields: Record<string, string>;
  output: string;
  /** 0-based position among the file's good records (for a JSON array: the array position). */
  index: number;
  /** 1-based line (JSONL) or row (Parquet) or array item (JSON array) for messages. */
  line: number;
}

export interface TuneSet {
  file: string;
  /** The name used in reports and leak lists: the file's base name without extensions. */
  name: string;
  items: TuneItem[];
  /** Records rejected while reading. */
  rejected: number;
}

export function setName(file: string): string {
  return path.basename(file).replace(/\.(gz|zst|zstd)$/i, "").replace(/\.(jsonl|json|ndjson|parquet)$/i, "");
}

/** A field value as format_map would print it: strings as they are, finite numbers and booleans as text. */
function asText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v === "bigint") return String(v);
  return undefined;
}

function toItem(value: unknown, need: readonly string[], index: number, line: number): TuneItem | string {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not_object";
  const rec = value as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const f of [...need, "output"]) {
    if (!(f in rec)) return `missing_field:${f}`;
    const t = asText(rec[f]);
    if (t === undefined) return `field_not_text:${f}`;
    fields[f] = t;
  }
  return { fields, output: fields.output, index, line };
}

function reject(bad: BadInputLog, file: string, line: number, code: string, abs: string): void {
  const [reason, field] = code.split(":");
  const detail = reason === "missing_field" ? `no "${field}" field` : reason === "field_not_text" ? `"${field}" is not a string` : "expected a JSON object";
  bad.add(file, line, reason, detail, abs);
}

/** Reads one set; `need` are the template's fields (output is always required). */
export async function readTuneSet(file: string, need: readonly string[], bad: BadInputLog): Promise<TuneSet> {
  const abs = path.resolve(file);
  const rel = path.basename(file);
  const items: TuneItem[] = [];
  let rejected = 0;
  const lower = file.toLowerCase();
  const whole = lower.endsWith(".json") || lower.endsWith(".json.gz") ? await readWhole(abs, lower.endsWith(".gz")) : undefined;
  if (whole && startsWithBracket(whole)) {
    const buf = whole;
    let arr: unknown;
    try {
      arr = JSON.parse(buf.toString("utf8"));
    } catch (e) {
      throw new UserError(`${file}: invalid JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(arr)) throw new UserError(`${file}: expected a JSON array of records`);
    for (let i = 0; i < arr.length; i++) {
      const it = toItem(arr[i], need, i, i + 1);
      if (typeof it === "string") {
        rejected++;
        reject(bad, `${rel} item`, i + 1, it, abs);
      } else items.push(it);
    }
  } else {
    if (!detectFormat(file)) throw usageError(`${file}: not a data file (expected .json array, .jsonl, .jsonl.gz, .jsonl.zst or .parquet)`);
    const before = bad.total;
    for await (const rec of readRecords(file, { bad, textField: "output", raw: false, rel })) {
      const it = toItem(rec.fields, need, items.length, rec.line);
      if (typeof it === "string") {
        rejected++;
        reject(bad, rel, rec.line, it, abs);
      } else items.push(it);
    }
    rejected = bad.total - before;
  }
  if (items.length === 0) throw new UserError(`${file}: no usable records (each needs ${[...need, "output"].map((f) => `"${f}"`).join(", ")})`);
  return { file, name: setName(file), items, rejected };
}

async function readWhole(abs: string, gz: boolean): Promise<Buffer> {
  let buf: Buffer;
  try {
    buf = await readFile(abs);
  } catch {
    throw usageError(`${abs}: no such file`);
  }
  return gz ? gunzipSync(buf) : buf;
}

/** True when the first non-blank byte (after a UTF-8 BOM) is '[': a JSON array, not JSON Lines. */
function startsWithBracket(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xef || c === 0xbb || c === 0xbf) continue;
    return c === 0x5b;
  }
  return false;
}
