/**
 * Parquet output with hyparquet-writer, streamed row group by row group to a temporary file
 * that is renamed on commit.
 *
 * Records: the schema comes from `schema`/`like` (an input Parquet shard, so Parquet → Parquet
 * keeps its exact column types, nested ones included) or is inferred from the first row group:
 * strings → STRING, booleans → BOOLEAN, numbers → DOUBLE (every JSON number fits), bigints →
 * INT64, Dates → TIMESTAMP, anything else or mixed → JSON (a lossless fallback). All inferred
 * columns are optional: a field a record lacks is written as null. A field first seen after the
 * schema is fixed, or a value that does not fit its column, is an error naming field and record.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import type { FileHandle } from "node:fs/promises";
import type { SchemaElement } from "hyparquet";
import { ByteWriter, ParquetWriter, type ColumnSource, type Writer } from "hyparquet-writer";
import { tempPathFor } from "./atomic.js";
import { openParquetFile, parquetInfo } from "./parquet-read.js";
import type { DocRecord } from "./record.js";
import type { Shard } from "./shards.js";
import { zstdCodec, type ZstdCodec } from "./zstd.js";
import { UserError } from "../util/errors.js";
import { installCommand } from "../util/optional.js";
import { makeDirs } from "../util/make-dirs.js";

type Codec = "UNCOMPRESSED" | "SNAPPY" | "ZSTD";

export interface ParquetWriterOptions {
  /** Use this schema (hyparquet SchemaElement list, root first). */
  schema?: SchemaElement[];
  /** Copy the schema of this Parquet file or shard (ignored unless it is Parquet). */
  like?: Shard | string;
  /** Rows per row group (default 10,000; a group also closes at ~64 MB of text). */
  rowGroupSize?: number;
  /** Column compression (default ZSTD with libzstd in-process, else SNAPPY, pyarrow's default: src/io/zstd.ts). */
  codec?: Codec;
}

const ZSTD_LEVEL = 3;

function compressorsOf(codec: ZstdCodec) {
  const page = codec.compressPage;
  return page ? { ZSTD: (input: Uint8Array) => page(input, ZSTD_LEVEL) } : {};
}
const GROUP_TEXT_BYTES = 64 << 20;

/** A ByteWriter whose bytes go to an open file after each row group. */
class FileSink {
  readonly writer: Writer & { index: number } = new ByteWriter(1 << 20) as ByteWriter & Writer & { index: number };
  private constructor(
    readonly fh: FileHandle,
    readonly tmpPath: string,
    readonly finalPath: string,
  ) {
    this.writer.flush = () => this.drain();
    this.writer.finish = () => this.drain();
  }

  static async open(finalPath: string): Promise<FileSink> {
    await makeDirs(path.dirname(finalPath));
    const tmp = tempPathFor(finalPath);
    return new FileSink(await fs.open(tmp, "w"), tmp, finalPath);
  }

  private async drain(): Promise<void> {
    const w = this.writer;
    if (w.index === 0) return;
    const bytes = new Uint8Array(w.buffer, 0, w.index);
    let off = 0;
    while (off < bytes.length) off += (await this.fh.write(bytes, off, bytes.length - off)).bytesWritten;
    w.index = 0;
  }

  async commit(): Promise<void> {
    await this.drain();
    await this.fh.sync();
    await this.fh.close();
    await fs.rename(this.tmpPath, this.finalPath);
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
    await fs.rm(this.tmpPath, { force: true });
  }
}

/** The schema of an existing Parquet file. */
export async function parquetSchemaOf(path: string): Promise<SchemaElement[]> {
  const h = await openParquetFile(path);
  try {
    return (await parquetInfo(h.file)).metadata.schema;
  } finally {
    await h.close();
  }
}

type Kind = "STRING" | "BOOLEAN" | "DOUBLE" | "INT64" | "TIMESTAMP" | "JSON";

function kindOf(v: unknown): Kind {
  if (typeof v === "string") return "STRING";
  if (typeof v === "boolean") return "BOOLEAN";
  if (typeof v === "number") return "DOUBLE";
  if (typeof v === "bigint") return "INT64";
  if (v instanceof Date) return "TIMESTAMP";
  return "JSON";
}

function elementFor(name: string, kind: Kind): SchemaElement {
  const base = { name, repetition_type: "OPTIONAL" as const };
  switch (kind) {
    case "STRING":
      return { ...base, type: "BYTE_ARRAY", converted_type: "UTF8" };
    case "BOOLEAN":
      return { ...base, type: "BOOLEAN" };
    case "DOUBLE":
      return { ...base, type: "DOUBLE" };
    case "INT64":
      return { ...base, type: "INT64" };
    case "TIMESTAMP":
      return { ...base, type: "INT64", converted_type: "TIMESTAMP_MILLIS" };
    case "JSON":
      return { ...base, type: "BYTE_ARRAY", converted_type: "JSON" };
  }
}

function inferSchema(rows: Record<string, unknown>[]): SchemaElement[] {
  const kinds = new Map<string, Kind | null>();
  for (const row of rows) {
    for (const key in row) {
      const v = row[key];
      const prev = kinds.get(key);
      if (v === null || v === undefined) {
        if (prev === undefined) kinds.set(key, null);
        continue;
      }
      const k = kindOf(v);
      if (prev === undefined || prev === null) kinds.set(key, k);
      else if (prev !== k) kinds.set(key, "JSON");
    }
  }
  const schema: SchemaElement[] = [{ name: "root", num_children: kinds.size }];
  for (const [name, k] of kinds) schema.push(elementFor(name, k ?? "JSON"));
  return schema;
}

/** Top-level column names of a schema, with the leaf element for flat ones. */
function topLevel(schema: SchemaElement[]): Array<{ name: string; leaf?: SchemaElement }> {
  const out: Array<{ name: string; leaf?: SchemaElement }> = [];
  let i = 1;
  const skip = (idx: number): number => {
    let next = idx + 1;
    for (let k = 0; k < (schema[idx]!.num_children ?? 0); k++) next = skip(next);
    return next;
  };
  while (i < schema.length) {
    const el = schema[i]!;
    out.push(el.num_children ? { name: el.name } : { name: el.name, leaf: el });
    i = skip(i);
  }
  return out;
}

/** Checks an inferred-schema value against its column; JSON columns take anything. */
function fits(leaf: SchemaElement, v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (leaf.converted_type === "JSON") return true;
  if (leaf.converted_type === "UTF8") return typeof v === "string";
  if (leaf.converted_type === "TIMESTAMP_MILLIS") return v instanceof Date;
  if (leaf.type === "BOOLEAN") return typeof v === "boolean";
  if (leaf.type === "DOUBLE" || leaf.type === "FLOAT") return typeof v === "number";
  if (leaf.type === "INT64") return typeof v === "bigint" || Number.isSafeInteger(v);
  if (leaf.type === "INT32") return Number.isInteger(v);
  return true;
}

export async function openParquetRecordWriter(finalPath: string, opts: ParquetWriterOptions = {}) {
  let schema = opts.schema;
  if (!schema && opts.like) {
    const likePath = typeof opts.like === "string" ? opts.like : opts.like.path;
    // A shard whose schema cannot be read (truncated, corrupt) is the reader's to count as bad
    // input; its output then gets an inferred schema instead of failing the whole shard here.
    if (likePath.toLowerCase().endsWith(".parquet")) schema = await parquetSchemaOf(likePath).catch(() => undefined);
  }
  const inferred = !schema;
  const rowGroupSize = opts.rowGroupSize ?? 10_000;
  const zstd = await zstdCodec();
  const compressors = compressorsOf(zstd);
  const codec = opts.codec ?? (zstd.compressPage ? "ZSTD" : "SNAPPY");
  if (codec === "ZSTD" && !zstd.compressPage) throw new UserError(`Parquet with ZSTD pages needs libzstd in-process: ${installCommand("zstd")}`);
  const sink = await FileSink.open(finalPath);
  let pw: ParquetWriter | null = null;
  let columns: Array<{ name: string; leaf?: SchemaElement }> = [];
  let rows: Record<string, unknown>[] = [];
  let textBytes = 0;
  let count = 0;
  let written = 0;
  let done = false;

  const flush = async () => {
    if (rows.length === 0) return;
    if (!pw) {
      schema ??= inferSchema(rows);
      columns = topLevel(schema);
      // No min/max statistics: for long text columns they cost time and say nothing useful.
      pw = new ParquetWriter({ writer: sink.writer, schema, codec, compressors, statistics: false, createdBy: "datatailor" });
    }
    const known = new Set(columns.map((c) => c.name));
    for (let r = 0; r < rows.length; r++) {
      for (const key in rows[r]) {
        if (!known.has(key))
          throw new Error(`${finalPath}: record ${written + r + 1} has field "${key}" that is not in the Parquet schema (fixed by the first row group)`);
      }
    }
    const columnData: ColumnSource[] = columns.map(({ name, leaf }) => {
      const data = new Array<unknown>(rows.length);
      for (let r = 0; r < rows.length; r++) {
        let v = rows[r]![name];
        if (v === undefined) v = null;
        if (inferred && leaf && !fits(leaf, v))
          throw new Error(`${finalPath}: record ${written + r + 1}: field "${name}" holds ${typeof v}, but its Parquet column is ${leaf.converted_type ?? leaf.type}`);
        if (leaf?.type === "INT64" && typeof v === "number" && !leaf.converted_type) v = BigInt(v);
        data[r] = v;
      }
      return { name, data: data as ColumnSource["data"] };
    });
    written += rows.length;
    rows = [];
    textBytes = 0;
    await pw.write({ columnData, rowGroupSize: Number.MAX_SAFE_INTEGER });
  };

  return {
    get count() {
      return count;
    },
    write(rec: DocRecord): void | Promise<void> {
      if (done) throw new Error(`writer for ${finalPath} is already closed`);
      count++;
      rows.push(rec.fields);
      textBytes += rec.text.length;
      if (rows.length >= rowGroupSize || textBytes >= GROUP_TEXT_BYTES) return flush();
    },
    async commit() {
      if (done) throw new Error(`writer for ${finalPath} is already closed`);
      done = true;
      try {
        await flush();
        if (!pw) {
          // No record at all: still a valid (empty) table, with the given schema or a bare text column.
          schema ??= [{ name: "root", num_children: 1 }, elementFor("text", "STRING")];
          pw = new ParquetWriter({ writer: sink.writer, schema, codec, compressors, createdBy: "datatailor" });
        }
        await pw.finish();
        await sink.commit();
      } catch (err) {
        await sink.abort();
        throw err;
      }
    },
    async abort() {
      done = true;
      await sink.abort();
    },
  };
}

/**
 * Writes a columnar table (e.g. scores: id, shard, score, kept, benchmark) atomically.
 * Types are inferred from the arrays (Float64Array → DOUBLE, Float32Array → FLOAT, Int32Array
 * and smaller → INT32, BigInt64Array → INT64, arrays of strings/booleans/numbers → STRING/
 * BOOLEAN/DOUBLE, nulls allowed) unless given in `opts.types` (hyparquet-writer basic types:
 * "STRING", "DOUBLE", "INT32", "INT64", "BOOLEAN", "FLOAT", "JSON", ...).
 */
export async function writeParquetColumns(
  finalPath: string,
  columns: Record<string, ArrayLike<unknown>>,
  opts: { types?: Record<string, string>; rowGroupSize?: number; codec?: Codec } = {},
): Promise<void> {
  const names = Object.keys(columns);
  const n = names.length ? columns[names[0]!]!.length : 0;
  const columnData: ColumnSource[] = names.map((name) => {
    const values = columns[name]!;
    if (values.length !== n) throw new Error(`writeParquetColumns: column "${name}" has ${values.length} rows, expected ${n}`);
    const given = opts.types?.[name];
    return given ? explicitColumn(name, values, given) : inferColumn(name, values);
  });
  const compressors = compressorsOf(await zstdCodec());
  const sink = await FileSink.open(finalPath);
  try {
    const schema: SchemaElement[] = [{ name: "root", num_children: columnData.length }];
    for (const c of columnData) schema.push(columnElement(c));
    const pw = new ParquetWriter({ writer: sink.writer, schema, codec: opts.codec ?? "SNAPPY", compressors, createdBy: "datatailor" });
    if (n > 0) await pw.write({ columnData, rowGroupSize: opts.rowGroupSize ?? 100_000 });
    await pw.finish();
    await sink.commit();
  } catch (err) {
    await sink.abort();
    throw err;
  }
}

function columnElement(c: ColumnSource): SchemaElement {
  const repetition_type = c.nullable === false ? "REQUIRED" : "OPTIONAL";
  switch (c.type) {
    case "STRING":
      return { name: c.name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type };
    case "JSON":
      return { name: c.name, type: "BYTE_ARRAY", converted_type: "JSON", repetition_type };
    case "TIMESTAMP":
      return { name: c.name, type: "INT64", converted_type: "TIMESTAMP_MILLIS", repetition_type };
    case "BYTE_ARRAY":
    case "BOOLEAN":
    case "INT32":
    case "INT64":
    case "FLOAT":
    case "DOUBLE":
      return { name: c.name, type: c.type, repetition_type };
    default:
      throw new Error(`writeParquetColumns: unsupported type ${c.type} for column "${c.name}"`);
  }
}

function hasNull(values: ArrayLike<unknown>): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] === null || values[i] === undefined) return true;
  return false;
}

function explicitColumn(name: string, values: ArrayLike<unknown>, type: string): ColumnSource {
  let data: unknown[] | ArrayLike<unknown> = values;
  if (type === "INT64") data = Array.from(values, (v) => (v === null || v === undefined ? null : typeof v === "bigint" ? v : BigInt(v as number)));
  else if (!Array.isArray(values) && !ArrayBuffer.isView(values)) data = Array.from(values);
  return { name, data: data as ColumnSource["data"], type: type as ColumnSource["type"], nullable: hasNull(values) };
}

function inferColumn(name: string, values: ArrayLike<unknown>): ColumnSource {
  if (values instanceof Float64Array) return { name, data: values, type: "DOUBLE", nullable: false };
  if (values instanceof Float32Array) return { name, data: values, type: "FLOAT", nullable: false };
  if (values instanceof BigInt64Array) return { name, data: values, type: "INT64", nullable: false };
  if (values instanceof Int32Array) return { name, data: values, type: "INT32", nullable: false };
  if (values instanceof Int8Array || values instanceof Int16Array || values instanceof Uint8Array || values instanceof Uint16Array)
    return { name, data: Int32Array.from(values), type: "INT32", nullable: false };
  if (values instanceof Uint32Array) return { name, data: BigInt64Array.from(values, (v) => BigInt(v)), type: "INT64", nullable: false };
  let kind: Kind | null = null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    const k = kindOf(v);
    if (kind === null) kind = k;
    else if (kind !== k) {
      kind = "JSON";
      break;
    }
  }
  const type = kind ?? "STRING";
  const data = Array.from(values, (v) => (v === undefined ? null : v));
  return { name, data: data as ColumnSource["data"], type, nullable: hasNull(values) };
}
