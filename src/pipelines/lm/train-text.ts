/** lm train's text, read whole: a file or a stream (stdin). */
import { readFile, stat } from "node:fs/promises";
import { UserError } from "../../util/errors.js";

export type TextSource = { path: string } | { stream: AsyncIterable<unknown>; name: string };

export function sourceName(source: TextSource): string {
  return "path" in source ? source.path : source.name;
}

/**
 * The text's bytes. `onSize` hears its size as soon as it is known: before reading a regular
 * file (so work can start meanwhile), else once read. A read error names the source.
 */
export async function readTrainText(source: TextSource, onSize: (bytes: number) => void): Promise<Buffer> {
  try {
    if ("path" in source) {
      const s = await stat(source.path);
      if (s.isFile()) onSize(s.size);
      const text = await readFile(source.path);
      if (!s.isFile()) onSize(text.length);
      return text;
    }
    const chunks: Buffer[] = [];
    for await (const c of source.stream) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks);
    onSize(text.length);
    return text;
  } catch (e) {
    throw new UserError(`cannot read ${sourceName(source)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
