/**
 * Byte streams of a shard, decompressed: gzip through node:zlib, zstd through zstd-napi.
 * A truncated or corrupt stream surfaces as a StreamError with a kind, so the reader can
 * count it as bad input instead of silently accepting a short file.
 */
import { createReadStream, promises as fs } from "node:fs";
import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import binding from "zstd-napi/binding.js";
import type { ShardFormat } from "./formats.js";

const READ_CHUNK = 1 << 20;
/** Compressed bytes per read: small enough that one read cannot balloon into 100s of MB. */
const COMPRESSED_CHUNK = 256 << 10;
const ZSTD_OUT = 1 << 20;

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

/** Opens the decompressed byte stream of a plain or gzip file. */
function openStream(path: string, format: ShardFormat): Readable {
  if (format === "jsonl") return createReadStream(path, { highWaterMark: READ_CHUNK });
  if (format !== "jsonl.gz") throw new Error(`openStream: ${format} is not handled here`);
  const file = createReadStream(path, { highWaterMark: COMPRESSED_CHUNK });
  const dec = createGunzip({ chunkSize: 256 * 1024 });
  file.on("error", (err) => dec.destroy(err));
  return file.pipe(dec);
}

/**
 * zstd, pulled: one compressed read at a time, decompressed into 1 MB buffers that are yielded
 * as they fill, so memory stays bounded whatever the compression ratio (zstd-napi's
 * DecompressStream pushes a whole input chunk's output at once, ~100 MB for repetitive text).
 */
async function* zstdChunks(path: string): AsyncGenerator<Buffer> {
  const fh = await fs.open(path, "r");
  // Two input buffers: the next read is in flight while the current one is decompressed and
  // parsed, so file latency overlaps with work (as createReadStream's read-ahead does).
  const inputs = [Buffer.allocUnsafe(COMPRESSED_CHUNK), Buffer.allocUnsafe(COMPRESSED_CHUNK)];
  let which = 0;
  let pending = fh.read(inputs[0]!, 0, COMPRESSED_CHUNK, null);
  try {
    const dctx = new binding.DCtx();
    let inFrame = false;
    let dst = Buffer.allocUnsafe(ZSTD_OUT);
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      let src = inputs[which]!.subarray(0, bytesRead);
      which ^= 1;
      pending = fh.read(inputs[which]!, 0, COMPRESSED_CHUNK, null);
      for (;;) {
        let ret: number, produced: number, consumed: number;
        try {
          [ret, produced, consumed] = dctx.decompressStream(dst, src);
        } catch (err) {
          throw new StreamError("corrupt", `zstd stream is corrupt (${(err as Error).message})`);
        }
        src = src.subarray(consumed);
        if (produced > 0) {
          if (produced < ZSTD_OUT >> 4) {
            yield Buffer.from(dst.subarray(0, produced)); // small: copy and reuse the big buffer
          } else {
            yield dst.subarray(0, produced); // handed over: the consumer may keep views of it
            dst = Buffer.allocUnsafe(ZSTD_OUT);
          }
        }
        if (src.length === 0 && (produced < ZSTD_OUT || ret === 0)) {
          inFrame = ret !== 0;
          break;
        }
      }
    }
    if (inFrame) throw new StreamError("truncated", "zstd stream is truncated (ends in the middle of a frame)");
  } finally {
    await pending.catch(() => undefined);
    await fh.close();
  }
}

/** Decompressed chunks of a JSONL shard; throws StreamError on truncation/corruption/IO errors. */
export async function* byteChunks(path: string, format: ShardFormat): AsyncGenerator<Buffer> {
  if (format === "jsonl.zst") {
    try {
      yield* zstdChunks(path);
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
