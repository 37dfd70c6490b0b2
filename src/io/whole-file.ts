/**
 * Reads a whole file into memory the caller allocates, for large read-only inputs (models)
 * that want a particular buffer: spare bytes after the content, or shared memory.
 */
import { promises as fs } from "node:fs";

/**
 * Reads `path` into a buffer from `alloc(size)`: the content goes at `offset` (0 by default)
 * of what it returns. Returns the content as a view; fails if the file shrinks meanwhile.
 */
export async function readWholeFile<B extends ArrayBufferLike>(path: string, alloc: (size: number) => { buffer: B; offset?: number }): Promise<Uint8Array<B>> {
  const fh = await fs.open(path, "r");
  try {
    const { size } = await fh.stat();
    const { buffer, offset = 0 } = alloc(size);
    const dst = new Uint8Array(buffer, offset, size);
    for (let off = 0; off < size; ) {
      const { bytesRead } = await fh.read(dst, off, Math.min(size - off, 1 << 30), off);
      if (bytesRead === 0) throw new Error(`${path}: changed while being read (${off} of ${size} bytes)`);
      off += bytesRead;
    }
    return dst;
  } finally {
    await fh.close();
  }
}
