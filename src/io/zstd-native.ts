/** Zstandard through libzstd in-process (zstd-napi, loaded from the on-demand `zstd` backend). */
import { promises as fs } from "node:fs";
import type { Writable } from "node:stream";
import { StreamError } from "./stream-error.js";
import type { ZstdCodec } from "./zstd.js";

/** The parts of zstd-napi used here (its main module plus `binding`, see BACKENDS.zstd). */
export interface ZstdNapi {
  compress(input: Uint8Array, params?: { compressionLevel?: number }): Buffer;
  CompressStream: new (params?: { compressionLevel?: number }) => Writable & { pipe<T extends NodeJS.WritableStream>(dest: T): T };
  binding: {
    DCtx: new () => {
      decompress(dst: Uint8Array, src: Uint8Array): number;
      decompressStream(dst: Uint8Array, src: Uint8Array): [number, number, number];
    };
  };
}

/** Compressed bytes per read: small enough that one read cannot balloon into 100s of MB. */
const COMPRESSED_CHUNK = 256 << 10;
const OUT_CHUNK = 1 << 20;

export function nativeZstd(z: ZstdNapi): ZstdCodec {
  const pageCtx = new z.binding.DCtx();
  return {
    kind: "native",
    fileChunks: (path) => fileChunks(z, path),
    compressTo(out, level) {
      const s = new z.CompressStream({ compressionLevel: level });
      s.on("error", (e: Error) => out.destroy(e));
      s.pipe(out);
      return s;
    },
    decompressPage(input, outputLength) {
      const out = new Uint8Array(outputLength);
      const n = pageCtx.decompress(out, input);
      if (n !== outputLength) throw new Error(`zstd page: expected ${outputLength} bytes, got ${n}`);
      return out;
    },
    compressPage: (input, level) => z.compress(input, { compressionLevel: level }),
  };
}

/**
 * Pulled: one compressed read at a time, decompressed into 1 MB buffers that are yielded as
 * they fill, so memory stays bounded whatever the compression ratio (zstd-napi's
 * DecompressStream pushes a whole input chunk's output at once, ~100 MB for repetitive text).
 */
async function* fileChunks(z: ZstdNapi, path: string): AsyncGenerator<Buffer> {
  const fh = await fs.open(path, "r");
  // Two input buffers: the next read is in flight while the current one is decompressed and
  // parsed, so file latency overlaps with work (as createReadStream's read-ahead does).
  const inputs = [Buffer.allocUnsafe(COMPRESSED_CHUNK), Buffer.allocUnsafe(COMPRESSED_CHUNK)];
  let which = 0;
  let pending = fh.read(inputs[0]!, 0, COMPRESSED_CHUNK, null);
  try {
    const dctx = new z.binding.DCtx();
    let inFrame = false;
    let dst = Buffer.allocUnsafe(OUT_CHUNK);
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
          if (produced < OUT_CHUNK >> 4) {
            yield Buffer.from(dst.subarray(0, produced)); // small: copy and reuse the big buffer
          } else {
            yield dst.subarray(0, produced); // handed over: the consumer may keep views of it
            dst = Buffer.allocUnsafe(OUT_CHUNK);
          }
        }
        if (src.length === 0 && (produced < OUT_CHUNK || ret === 0)) {
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
