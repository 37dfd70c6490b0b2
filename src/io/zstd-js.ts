/**
 * Zstandard in pure JS: always available. Decoding through fzstd (~2-3x slower than libzstd, no
 * checksum check); encoding writes stored frames (zstd-stored.ts), valid but not compressed.
 */
import { promises as fs } from "node:fs";
import { Decompress, decompress } from "fzstd";
import type { Writable } from "node:stream";
import { StreamError } from "./stream-error.js";
import { StoredZstdStream } from "./zstd-stored.js";
import type { ZstdCodec } from "./zstd.js";

/** Small reads: fzstd hands over a whole read's output at once (bounded by ~ratio x this). */
const COMPRESSED_CHUNK = 64 << 10;
/** fzstd's code for input that ends inside a frame. */
const UNEXPECTED_EOF = 5;

export const jsZstd: ZstdCodec = {
  kind: "js",
  fileChunks,
  compressTo(out: Writable): Writable {
    const s = new StoredZstdStream();
    s.on("error", (e: Error) => out.destroy(e));
    s.pipe(out);
    return s;
  },
  decompressPage(input, outputLength) {
    const out = decompress(input, new Uint8Array(outputLength));
    if (out.length !== outputLength) throw new Error(`zstd page: expected ${outputLength} bytes, got ${out.length}`);
    return out;
  },
};

async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  const fh = await fs.open(path, "r");
  try {
    const out: Uint8Array[] = [];
    const dec = new Decompress((chunk) => void out.push(chunk));
    const { size } = await fh.stat();
    let pos = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(COMPRESSED_CHUNK); // fzstd may keep views of its input
      const { bytesRead } = await fh.read(buf, 0, COMPRESSED_CHUNK, null);
      pos += bytesRead;
      try {
        dec.push(buf.subarray(0, bytesRead), bytesRead === 0 || pos >= size);
      } catch (err) {
        const e = err as Error & { code?: number };
        throw new StreamError(e.code === UNEXPECTED_EOF ? "truncated" : "corrupt", `zstd stream is ${e.code === UNEXPECTED_EOF ? "truncated" : "corrupt"} (${e.message})`);
      }
      for (const c of out) if (c.length) yield Buffer.from(c.buffer, c.byteOffset, c.byteLength);
      out.length = 0;
      if (bytesRead === 0 || pos >= size) return;
    }
  } finally {
    await fh.close();
  }
}
