/**
 * A plain ARPA reader for tests, independent of src/models/ngram: every entry keyed by
 * "order|words" with its log10 probability and backoff (0 when absent).
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

export interface ArpaEntries {
  counts: number[];
  entries: Map<string, { prob: number; backoff: number }>;
}

export function readArpaText(fileOrText: string, isText = false): ArpaEntries {
  let text = fileOrText;
  if (!isText) {
    const raw = readFileSync(fileOrText);
    text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString("utf8");
  }
  const counts: number[] = [];
  const entries = new Map<string, { prob: number; backoff: number }>();
  let order = 0;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const c = /^ngram (\d+)=(\d+)$/.exec(line);
    if (c) {
      counts[Number(c[1]) - 1] = Number(c[2]);
      continue;
    }
    const s = /^\\(\d+)-grams:$/.exec(line);
    if (s) {
      order = Number(s[1]);
      continue;
    }
    if (line.startsWith("\\") || order === 0) continue;
    const parts = line.split("\t");
    entries.set(`${order}|${parts[1]}`, { prob: Number(parts[0]), backoff: parts.length > 2 ? Number(parts[2]) : 0 });
  }
  return { counts, entries };
}
