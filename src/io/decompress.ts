/**
 * Byte streams of a shard, decompressed: gzip through node:zlib, zstd through src/io/zstd.ts.
 * A truncated or corrupt stream surfaces as a StreamError with a kind, so the reader can
 * count it as bad input instead of silently accepting a short file.
 */
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import type { ShardFormat } from "./formats.js";
import { StreamError } from "./stream-error.js";
import { zstdCodec } from "./zstd.js";

export { StreamError };

const READ_CHUNK = 1 << 20;
/** Compressed bytes per read: small enough that one read cannot balloon into 100s of MB. */
const COMPRESSED_CHUNK = 256 << 10;

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
    // the codecs say truncated/corrupt themselves (src/io/zstd-*.ts); what is left is the file's own
    if (!e?.code || !String(e.code).startsWith("E")) return new StreamError("corrupt", `zstd stream is corrupt (${msg})`);
  }
  return new StreamError("io", msg);
}

/** Opens the decompressed byte stream of a plain or gzip file. */
function openStream(path: string, format: ShardFormat): Readable {
  if (format === "jsonl") return createReadStream(path, { highWaterMark: READ_CHUNK });
  if (format !== "jsonl.gz") throw new Error(`openStream: ${format} is not handled here`);
  const file = createReadStream(path, { highWaterMark: COMPRESSED_CHUNK });
  const dec = createGunzip({ chunkSize: 256 * 1024 });
  file.on("error", (err) => dec.destroy(err));
  return file.pipe(dec);
}

/** Decompressed chunks of a JSONL shard; throws StreamError on truncation/corruption/IO errors. */
export async function* byteChunks(path: string, format: ShardFormat): AsyncGenerator<Buffer> {
  if (format === "jsonl.zst") {
    const codec = await zstdCodec(); // outside the try: a missing codec is not a bad shard
    try {
      yield* codec.fileChunks(path);
    } catch (err) {
      throw classify(format, err);
    }
    return;
  }
  const stream = openStream(path, format);
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    throw classify(format, err);
  } finally {
    stream.destroy();
  }
}
