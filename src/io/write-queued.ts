/** Waiting on a stream's backpressure. */

/** Resolves at the stream's next drain; rejects on its error. */
export function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      stream.off("drain", done);
      stream.off("error", done);
      if (err) reject(err);
      else resolve();
    };
    stream.on("drain", done);
    stream.on("error", done);
  });
}

/**
 * Writes with backpressure only past 64 MB queued: formatting the next chunks then overlaps the
 * disk writes (a stream's default 16 KB mark would alternate them).
 */
export async function writeQueued(stream: NodeJS.WritableStream, chunk: Uint8Array, done?: () => void): Promise<void> {
  stream.write(chunk, done);
  const queued = (stream as NodeJS.WritableStream & { writableLength?: number }).writableLength ?? 0;
  if (queued >= 1 << 26) await drained(stream);
}
