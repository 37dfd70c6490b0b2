/**
 * fastText reads its input as bytes split at '\n' (no decoding, no CR handling); every reader
 * of fastText-format text (training corpus, test, predict, stdin) goes through this one loop.
 */
import { createReadStream } from "node:fs";

export type LineFn = (buf: Uint8Array, start: number, end: number, eos: boolean) => void;

/** Calls `fn` per line of a file (path) or byte stream; `eos` is true for newline-terminated lines. */
export async function forEachLine(source: string | AsyncIterable<Uint8Array>, fn: LineFn): Promise<void> {
  const chunks = typeof source === "string" ? (createReadStream(source, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) : source;
  let carry = new Uint8Array(0);
  for await (const chunk of chunks) {
    let buf: Uint8Array = chunk;
    if (carry.length) {
      buf = new Uint8Array(carry.length + chunk.length);
      buf.set(carry);
      buf.set(chunk, carry.length);
    }
    let s = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, s);
      if (nl < 0) break;
      fn(buf, s, nl, true);
      s = nl + 1;
    }
    carry = buf.slice(s);
  }
  if (carry.length) fn(carry, 0, carry.length, false);
}
