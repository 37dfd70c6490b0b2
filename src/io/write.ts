/**
 * Record writers for the four shard formats. Every writer writes under a temporary name in
 * the destination directory and renames on commit(), so an interrupted run never leaves a
 * half shard under its final name (src/io/atomic.ts).
 *
 * JSONL family: a record that carries `raw` (the original line bytes, set by the JSONL reader)
 * is written byte for byte, so every field, its order and its number formatting survive;
 * otherwise `fields` is serialised with JSON.stringify (bigints as numbers when safe, else as
 * strings). Clear `raw` if you changed the record and want the change written.
 */
import { once } from "node:events";
import type { Writable } from "node:stream";
import { createGzip } from "node:zlib";
import { openAtomic } from "./atomic.js";
import { drained } from "./write-queued.js";
import type { ShardFormat } from "./formats.js";
import { openParquetRecordWriter, type ParquetWriterOptions } from "./parquet-write.js";
import type { DocRecord } from "./record.js";
import { zstdCodec } from "./zstd.js";

export interface RecordWriter {
  /** Returns a promise only when the caller should wait (backpressure). */
  write(rec: DocRecord): void | Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
  readonly count: number;
}

export type WriterOptions = ParquetWriterOptions & {
  /** gzip level (default 6) or zstd level (default 3). */
  level?: number;
};

const BUF_SIZE = 1 << 20;
const NL = 10;

export async function openRecordWriter(finalPath: string, format: ShardFormat, opts: WriterOptions = {}): Promise<RecordWriter> {
  if (format === "parquet") return openParquetRecordWriter(finalPath, opts);
  return openJsonlWriter(finalPath, format, opts.level);
}

/** Plain text: each record's text, records separated by a blank line (read back with txtSplit "paragraphs"; one record is the file itself). */
function txtBytes(rec: DocRecord, first: boolean): Buffer {
  // the writer ends every record with "\n": a text that already ends with one keeps just that
  const t = rec.text.endsWith("\n") ? rec.text.slice(0, -1) : rec.text;
  return Buffer.from(first ? t : "\n" + t);
}

async function openJsonlWriter(finalPath: string, format: ShardFormat, level?: number): Promise<RecordWriter> {
  const zstd = format === "jsonl.zst" ? await zstdCodec() : undefined;
  const atomic = await openAtomic(finalPath);
  const file = atomic.stream;
  let failure: Error | null = null;
  const fail = (err: Error) => (failure ??= err);
  file.on("error", fail);
  let sink: Writable = file;
  if (format === "jsonl.gz") {
    sink = createGzip({ level: level ?? 6, chunkSize: 256 * 1024 });
    sink.pipe(file);
  } else if (zstd) sink = zstd.compressTo(file, level ?? 3);
  if (sink !== file) sink.on("error", fail);
  let buf = Buffer.allocUnsafe(BUF_SIZE);
  let pos = 0;
  let count = 0;
  let done = false;

  const check = () => {
    if (failure) throw failure;
    if (done) throw new Error(`writer for ${finalPath} is already closed`);
  };
  /** Hands the filled buffer to the stream; resolves on drain when the stream is full. */
  const flush = (): Promise<void> | void => {
    if (pos === 0) return;
    const full = sink.write(buf.subarray(0, pos));
    buf = Buffer.allocUnsafe(BUF_SIZE);
    pos = 0;
    if (!full) return drain();
  };
  const drain = () => drained(sink);

  return {
    get count() {
      return count;
    },
    write(rec: DocRecord) {
      check();
      const bytes = format === "txt" ? txtBytes(rec, count === 0) : (rec.raw ?? Buffer.from(stringify(rec.fields)));
      count++;
      const need = bytes.length + 1;
      let wait: Promise<void> | void = undefined;
      if (pos + need > buf.length) {
        wait = flush();
        if (need > buf.length) {
          const big = Buffer.allocUnsafe(need);
          big.set(bytes, 0);
          big[need - 1] = NL;
          const ok = sink.write(big);
          if (!ok && !wait) wait = drain();
          return wait;
        }
      }
      buf.set(bytes, pos);
      buf[pos + bytes.length] = NL;
      pos += need;
      return wait;
    },
    async commit() {
      check();
      done = true;
      await flush();
      const closed = once(file, "close");
      sink.end();
      await closed.catch((e) => fail(e as Error));
      if (failure) {
        await atomic.abort();
        throw failure;
      }
      await atomic.commit();
    },
    async abort() {
      done = true;
      if (sink !== file) sink.destroy();
      await atomic.abort();
    },
  };
}

function stringify(fields: Record<string, unknown>): string {
  try {
    return JSON.stringify(fields);
  } catch {
    // Parquet INT64 columns arrive as bigint, which JSON.stringify rejects.
    return JSON.stringify(fields, (_k, v: unknown) =>
      typeof v === "bigint" ? (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString()) : v,
    );
  }
}
