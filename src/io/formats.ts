/**
 * Shard formats, detected from the file name. `.json` lines files are accepted as JSONL
 * because Dolma names its shards `*.json.gz`; `.ndjson` is the other common spelling.
 * `.txt` is plain text: one document per file, or one per paragraph (`txtSplit`, src/io/txt-read.ts).
 */
export type ShardFormat = "jsonl" | "jsonl.gz" | "jsonl.zst" | "parquet" | "txt";

export const SHARD_FORMATS: readonly ShardFormat[] = ["jsonl", "jsonl.gz", "jsonl.zst", "parquet", "txt"];

/** How a plain-text shard becomes documents: the whole file, or each blank-line-separated paragraph. */
export type TxtSplit = "file" | "paragraphs";
export const TXT_SPLITS: readonly TxtSplit[] = ["file", "paragraphs"];

const JSONL_EXT = /\.(jsonl|json|ndjson)$/i;

/** The format a file name implies, or undefined when it is not a corpus shard. */
export function detectFormat(file: string): ShardFormat | undefined {
  const name = file.toLowerCase();
  if (name.endsWith(".parquet")) return "parquet";
  if (name.endsWith(".txt")) return "txt";
  if (name.endsWith(".gz")) return JSONL_EXT.test(name.slice(0, -3)) ? "jsonl.gz" : undefined;
  if (name.endsWith(".zst")) return JSONL_EXT.test(name.slice(0, -4)) ? "jsonl.zst" : undefined;
  if (name.endsWith(".zstd")) return JSONL_EXT.test(name.slice(0, -5)) ? "jsonl.zst" : undefined;
  return JSONL_EXT.test(name) ? "jsonl" : undefined;
}

export function isShardFormat(s: string): s is ShardFormat {
  return (SHARD_FORMATS as readonly string[]).includes(s);
}

/** The usual extension for a format, e.g. for new `{rank:05d}` shards. */
export function extensionOf(format: ShardFormat): string {
  return format === "parquet" ? ".parquet" : `.${format}`;
}
