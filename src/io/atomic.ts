/**
 * Atomic outputs: write under a temporary name in the destination directory, fsync, then
 * rename. An interrupted run never leaves a half-written file under the final name.
 */
import { promises as fs, createWriteStream, type WriteStream } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { makeDirs } from "../util/make-dirs.js";

export function tempPathFor(finalPath: string): string {
  const dir = path.dirname(finalPath);
  return path.join(dir, `.${path.basename(finalPath)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
}

/** `data` may be a list of pieces, written in order (no need to join large ones first). */
export async function writeFileAtomic(finalPath: string, data: string | Uint8Array | readonly Uint8Array[]): Promise<void> {
  await makeDirs(path.dirname(finalPath));
  const tmp = tempPathFor(finalPath);
  const fh = await fs.open(tmp, "w");
  try {
    // writeFile on an open handle continues at its current position
    for (const piece of typeof data === "string" || data instanceof Uint8Array ? [data] : data) await fh.writeFile(piece);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, finalPath);
}

/** A write stream whose content appears under `finalPath` only after `commit()`; `abort()` removes it. */
export interface AtomicStream {
  stream: WriteStream;
  tmpPath: string;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * `destination`, when given, is asked for the final path again at commit time, so a caller
 * that checks paths (storage.ts: no symlink out of the root) re-checks just before the rename.
 */
export async function openAtomic(finalPath: string, destination?: () => Promise<string>): Promise<AtomicStream> {
  await makeDirs(path.dirname(finalPath));
  const tmpPath = tempPathFor(finalPath);
  const stream = createWriteStream(tmpPath);
  await new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", reject);
  });
  const finished = () =>
    new Promise<void>((resolve, reject) => {
      if (stream.closed) return resolve();
      stream.once("close", () => resolve());
      stream.once("error", reject);
      stream.end();
    });
  return {
    stream,
    tmpPath,
    async commit() {
      await finished();
      const fh = await fs.open(tmpPath, "r+");
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.rename(tmpPath, destination ? await destination() : finalPath);
    },
    async abort() {
      stream.destroy();
      await fs.rm(tmpPath, { force: true });
    },
  };
}
