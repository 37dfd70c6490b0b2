/**
 * Reads the rows of a few items (by item number) from `index/items.jsonl`, seeking to each line
 * through `items.offsets` instead of scanning a file that holds every item.
 */
import { promises as fs } from "node:fs";

export interface ItemRow {
  b: number;
  i: number;
  id: string | null;
  text: string;
}

export async function readItemRows(file: string, wanted: Set<number>): Promise<Map<number, ItemRow>> {
  const out = new Map<number, ItemRow>();
  if (wanted.size === 0) return out;
  const offBytes = await fs.readFile(file.replace(/\.jsonl$/, ".offsets"));
  const offsets = new Float64Array(offBytes.buffer, offBytes.byteOffset, offBytes.byteLength / 8);
  const fh = await fs.open(file, "r");
  try {
    for (const item of [...wanted].sort((a, b) => a - b)) {
      if (item < 0 || item + 1 >= offsets.length) continue;
      const start = offsets[item]!;
      const len = offsets[item + 1]! - start;
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, start);
      out.set(item, JSON.parse(buf.toString("utf8")) as ItemRow);
    }
  } finally {
    await fh.close();
  }
  return out;
}
