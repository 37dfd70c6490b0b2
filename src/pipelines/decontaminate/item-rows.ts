/** Streams `index/items.jsonl` once and returns the rows of the wanted items (by item number). */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

export interface ItemRow {
  b: number;
  i: number;
  id: string | null;
  text: string;
}

export async function readItemRows(file: string, wanted: Set<number>): Promise<Map<number, ItemRow>> {
  const out = new Map<number, ItemRow>();
  if (wanted.size === 0) return out;
  const rl = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  let item = 0;
  for await (const line of rl) {
    if (wanted.has(item)) out.set(item, JSON.parse(line) as ItemRow);
    item++;
    if (out.size === wanted.size) {
      rl.close();
      break;
    }
  }
  return out;
}
