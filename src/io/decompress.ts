/**
 * Byte streams of a shard, decompressed: gzip through node:zlib, zstd through zstd-napi.
 * A truncated or corrupt stream surfaces as a StreamError with a kind, so the reader can
 * count it as bad input instead of silently accepting a short file.
 */
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import type { Readable, Transform } from "node:stream";
import { DecompressStream } from "zstd-napi";
import type { ShardFormat } from "./formats.js";

const READ_CHUNK = 1 << 20;

export class StreamError extends Error {
  constructor(
    readonly kind: "truncated" | "corrupt" | "io",
    message: string,
  ) {
    super(message);
    this.name = "StreamError";
  }
}

function classify(format: ShardFormat, err: unknown): StreamError {
  if (err instanceof StreamError) return err;
  const e = err as NodeJS.ErrnoException;
  const msg = e?.message ?? String(err);
  if (format === "jsonl.gz") {
    // zlib reports a stream cut short as Z_BUF_ERROR "unexpected end of file".
    if (e?.code === "Z_BUF_ERROR" || /unexpected end of file/i.test(msg)) return new StreamError("truncated", `gzip stream is truncated (${msg})`);
    if (typeof e?.code === "string" && e.code.startsWith("Z_")) return new StreamError("corrupt", `gzip stream is corrupt (${msg})`);
  }
  if (format === "jsonl.zst") {
    if (/ended in middle of compressed data frame/i.test(msg)) return new StreamError("truncated", `zstd stream is truncated (${msg})`);
    if (!e?.code || !String(e.code).startsWith("E")) return new StreamError("corrupt", `zstd stream is corrupt (${msg})`);
  }
  return new StreamError("io", msg);
}

/** Opens the decompressed byte stream of a file. */
function openStream(path: string, format: ShardFormat): Readable {
  const file = createReadStream(path, { highWaterMark: READ_CHUNK });
  let dec: Transform;
  if (format === "jsonl") return file;
  else if (format === "jsonl.gz") dec = createGunzip({ chunkSize: 256 * 1024 });
  else if (format === "jsonl.zst") dec = new DecompressStream();
  else throw new Error(`openStream: ${format} is not a byte-stream format`);
  file.on("error", (err) => dec.destroy(err));
  return file.pipe(dec);
}

/** Decompressed chunks of a JSONL shard; throws StreamError on truncation/corruption/IO errors. */
export async function* byteChunks(path: string, format: ShardFormat): AsyncGenerator<Buffer> {
  const stream = openStream(path, format);
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    throw classify(format, err);
  } finally {
    stream.destroy();
  }
}
