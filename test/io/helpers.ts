import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { compress } from "../helpers/zstd.js";
import { BadInputLog, openShard, type DocRecord, type Shard, type ShardFormat } from "../../src/io/index.js";

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), "dt-io-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function encode(data: string | Buffer, format: ShardFormat): Buffer {
  const b = typeof data === "string" ? Buffer.from(data) : data;
  if (format === "jsonl.gz") return gzipSync(b);
  if (format === "jsonl.zst") return compress(b);
  return b;
}

export async function readAll(shard: Shard | string, opts: { strict?: boolean; raw?: boolean } = {}) {
  const bad = new BadInputLog({ strict: opts.strict, maxExamples: 100 });
  const { shardFromPath } = await import("../../src/io/read.js");
  const s = typeof shard === "string" ? await shardFromPath(shard) : shard;
  const reader = openShard(s, { bad, raw: opts.raw });
  const records: DocRecord[] = [];
  for await (const r of reader.records()) records.push(r);
  return { records, bad, stats: reader.stats };
}
