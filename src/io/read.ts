/**
 * Reading one shard as a stream of records. Good records are yielded; bad input goes to the
 * BadInputLog with file (the shard's relative path), line and reason, and reading continues.
 *
 * Counting contract, so that `read = kept + dropped + rejected` reconciles exactly:
 *   stats.read     = records yielded + stats.rejected
 *   stats.rejected = bad lines/rows + stream-level problems (truncated/corrupt stream, empty file)
 * A consumer that keeps or drops every yielded record therefore reconciles by construction.
 * Blank lines are neither (counted in stats.blank).
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { usageError } from "../util/errors.js";
import type { BadInputLog } from "./bad-input.js";
import { byteChunks, StreamError } from "./decompress.js";
import { IdSet } from "./id-set.js";
import { detectFormat, type TxtSplit } from "./formats.js";
import { JsonlParser } from "./jsonl-read.js";
import { TxtParser } from "./txt-read.js";
import { openParquetFile, parquetInfo, readParquetRows, topLevelColumns } from "./parquet-read.js";
import { REASONS, toRecord, type DocRecord, type FieldNames, type RejectReason } from "./record.js";
import type { Shard } from "./shards.js";

export interface ReadOptions {
  bad: BadInputLog;
  /** Relative path used for default ids and in the bad-input log (default: the shard's rel). */
  rel?: string;
  textField?: string;
  idField?: string;
  signal?: AbortSignal;
  /**
   * Attach the original line bytes as `rec.raw` (JSONL only; default true). The view pins its
   * ~1 MB read chunk while held: pass false when records are kept beyond their batch.
   */
  raw?: boolean;
  /** Longest JSONL line (or .txt document) accepted; longer ones are rejected as line_too_long (default 256 MiB). */
  maxLineBytes?: number;
  /** Plain-text shards: one document per file (default) or per blank-line-separated paragraph. */
  txtSplit?: TxtSplit;
  /**
   * Parquet only: read just these columns (plus the text and id columns), e.g. for sampling.
   * `fields` then holds only them. JSONL lines are always parsed whole.
   */
  columns?: string[];
}

export interface ShardReadStats {
  /** Records yielded + rejected. */
  read: number;
  rejected: number;
  /** Whitespace-only lines skipped (JSONL). */
  blank: number;
  /** Records whose own id repeats an earlier record's id in this shard (still yielded). */
  duplicateIds: number;
  /** The first repeated id and its line, to name in a warning. */
  firstDuplicate?: { id: string; line: number };
  /** Bytes of the shard file. */
  bytes: number;
}

export class ShardReader {
  readonly stats: ShardReadStats = { read: 0, rejected: 0, blank: 0, duplicateIds: 0, bytes: 0 };
  private readonly ids = new IdSet();
  private used = false;

  constructor(
    readonly shard: Shard,
    private readonly opts: ReadOptions,
  ) {}

  /** Records in order, one batch per decompressed chunk or Parquet row group (cheaper than one by one). */
  async *batches(): AsyncGenerator<DocRecord[]> {
    if (this.used) throw new Error(`ShardReader for ${this.shard.rel} can only be iterated once`);
    this.used = true;
    const { shard, opts } = this;
    const rel = opts.rel ?? shard.rel;
    const names: FieldNames = { textField: opts.textField ?? "text", idField: opts.idField ?? "id" };
    const reject = (line: number, reason: RejectReason, detail: string) => {
      this.stats.rejected++;
      this.stats.read++;
      opts.bad.add(rel, line, reason, clip(detail), shard.path);
    };
    this.stats.bytes = shard.bytes;
    if (shard.format === "parquet") {
      yield* this.parquetBatches(rel, names, reject);
      return;
    }
    if (shard.format === "txt") {
      yield* this.txtBatches(rel, reject);
      return;
    }
    const parser = new JsonlParser({ rel, raw: opts.raw ?? true, reject, maxLineBytes: opts.maxLineBytes, ...names });
    let out: DocRecord[] = [];
    try {
      for await (const chunk of byteChunks(shard.path, shard.format)) {
        opts.signal?.throwIfAborted();
        parser.push(chunk, out);
        if (out.length > 0) {
          this.stats.read += out.length;
          this.checkIds(out, names.idField);
          yield out;
          out = [];
        }
        if (parser.abandoned) break;
      }
    } catch (err) {
      if (!(err instanceof StreamError)) throw err;
      this.stats.blank = parser.blank;
      const lost = parser.discardPending();
      // Name the first line that was lost. A cut inside a compressed block loses the whole block,
      // so with a small file no line at all may come out: say so rather than "after line 0".
      const where =
        parser.line === 0
          ? "no complete line could be decoded before the cut (everything from line 1 on is lost)"
          : `lines 1-${parser.line} were read; from line ${parser.line + 1} on is lost${lost ? ` (${lost} bytes of an unfinished line dropped)` : ""}`;
      const reason = err.kind === "truncated" ? REASONS.truncated : err.kind === "corrupt" ? REASONS.corrupt : REASONS.readError;
      reject(parser.line + 1, reason, `${err.message}; ${where}`);
      return;
    }
    parser.end(out);
    if (out.length > 0) {
      this.stats.read += out.length;
      this.checkIds(out, names.idField);
      yield out;
    }
    this.stats.blank = parser.blank;
    // An empty file (or one of blank lines only) holds no bad line: it reads as zero records.
  }

  /** Counts records whose own id (not a default `<rel>:<line>`) was seen before in this shard. */
  private checkIds(batch: DocRecord[], idField: string): void {
    for (const rec of batch) {
      if (rec.fields[idField] === undefined || this.ids.add(rec.id)) continue;
      if (this.stats.duplicateIds++ === 0) this.stats.firstDuplicate = { id: rec.id, line: rec.line };
    }
  }

  private async *txtBatches(rel: string, reject: (line: number, reason: RejectReason, detail: string) => void): AsyncGenerator<DocRecord[]> {
    const parser = new TxtParser({ rel, split: this.opts.txtSplit ?? "file", reject, maxBytes: this.opts.maxLineBytes });
    let out: DocRecord[] = [];
    try {
      for await (const chunk of byteChunks(this.shard.path, "jsonl")) {
        this.opts.signal?.throwIfAborted();
        parser.push(chunk, out);
        if (out.length > 0) {
          this.stats.read += out.length;
          yield out;
          out = [];
        }
      }
    } catch (err) {
      if (!(err instanceof StreamError)) throw err;
      reject(parser.line + 1, REASONS.readError, err.message);
      return;
    }
    parser.end(out);
    this.stats.blank = parser.blank;
    if (out.length > 0) {
      this.stats.read += out.length;
      yield out;
    }
  }

  async *records(): AsyncGenerator<DocRecord> {
    for await (const batch of this.batches()) yield* batch;
  }

  [Symbol.asyncIterator](): AsyncIterator<DocRecord> {
    return this.records();
  }

  private async *parquetBatches(
    rel: string,
    names: FieldNames,
    reject: (line: number, reason: RejectReason, detail: string) => void,
  ): AsyncGenerator<DocRecord[]> {
    let handle: Awaited<ReturnType<typeof openParquetFile>>;
    let info: Awaited<ReturnType<typeof parquetInfo>>;
    try {
      handle = await openParquetFile(this.shard.path);
    } catch (err) {
      reject(0, REASONS.readError, (err as Error).message);
      return;
    }
    try {
      try {
        info = await parquetInfo(handle.file);
      } catch (err) {
        // hyparquet cannot find a footer: the file was cut short or is not Parquet at all.
        reject(0, REASONS.corrupt, `not a readable Parquet file (${(err as Error).message})`);
        return;
      }
      if (info.rows === 0) return; // an empty table: zero records, nothing bad
      let columns: string[] | undefined;
      if (this.opts.columns) {
        const have = new Set(topLevelColumns(info.metadata));
        columns = [...new Set([...this.opts.columns, names.textField, names.idField])].filter((c) => have.has(c));
      }
      for (const [start, end] of info.groups) {
        this.opts.signal?.throwIfAborted();
        let rows: Record<string, unknown>[];
        try {
          rows = await readParquetRows(handle.file, info.metadata, start, end, columns);
        } catch (err) {
          // A damaged row group: count every row it held, keep going with the next one.
          for (let r = start; r < end; r++) reject(r + 1, REASONS.corrupt, `row group unreadable (${(err as Error).message})`);
          continue;
        }
        const out: DocRecord[] = [];
        for (let i = 0; i < rows.length; i++) {
          const rec = toRecord(rows[i], rel, start + i + 1, names);
          if ("reason" in rec) reject(start + i + 1, rec.reason, rec.detail);
          else out.push(rec);
        }
        if (out.length > 0) {
          this.stats.read += out.length;
          this.checkIds(out, names.idField);
          yield out;
        }
      }
    } finally {
      await handle.close();
    }
  }
}

/** A Shard for a single path (format from its name). */
export async function shardFromPath(file: string, rel?: string): Promise<Shard> {
  const format = detectFormat(file);
  if (!format) throw usageError(`${file}: not a corpus shard (expected .jsonl, .json, .jsonl.gz, .jsonl.zst or .parquet)`);
  const abs = path.resolve(file);
  const st = await fs.stat(abs).catch(() => {
    throw usageError(`${file}: no such file`);
  });
  return { path: abs, rel: rel ?? path.basename(abs), format, bytes: st.size };
}

export function openShard(shard: Shard, opts: ReadOptions): ShardReader {
  return new ShardReader(shard, opts);
}

/** Good records of a shard; bad ones go to `opts.bad`. */
export async function* readRecords(shard: Shard | string, opts: ReadOptions): AsyncGenerator<DocRecord> {
  const s = typeof shard === "string" ? await shardFromPath(shard, opts.rel) : shard;
  yield* new ShardReader(s, opts).records();
}

function clip(s: string): string {
  return s.length > 240 ? `${s.slice(0, 240)}…` : s;
}
