/** A small file's whole text, plain or .gz/.zst (decompressed through the corpus readers' streams). */
import { byteChunks } from "./decompress.js";
import { UserError } from "../util/errors.js";

export async function readTextFile(file: string): Promise<string> {
  const lower = file.toLowerCase();
  const format = lower.endsWith(".zst") ? "jsonl.zst" : lower.endsWith(".gz") ? "jsonl.gz" : "jsonl";
  const chunks: Buffer[] = [];
  try {
    for await (const c of byteChunks(file, format)) chunks.push(c);
  } catch (e) {
    throw new UserError(`${file}: ${(e as Error).message}`);
  }
  return Buffer.concat(chunks).toString("utf8");
}
