/**
 * Built-in task kind "filter-length": keeps JSONL documents whose `text` length (in UTF-16
 * code units) lies in [minChars, maxChars], like datatrove's length filters. Kept lines are
 * copied byte-for-byte (every field kept) to `<out>/selected/<shard>` through one atomic write;
 * unparseable lines and records without a string `text` are counted as rejected. Reads plain or
 * gzip JSONL. It is the executors' own real workload (tests, the distributed benchmark, empty
 * shard overhead); select's scoring is the "select-score" kind.
 */
import { createGunzip, createGzip } from "node:zlib";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { LocalStorage } from "../../io/storage.js";
import type { ShardResult, TaskHandler } from "../types.js";

export interface FilterLengthParams {
  minChars?: number;
  maxChars?: number;
}

export const filterLength: TaskHandler<FilterLengthParams> = async (spec, task, ctx) => {
  const min = spec.params?.minChars ?? 0;
  const max = spec.params?.maxChars ?? Number.POSITIVE_INFINITY;
  const gz = task.shard.endsWith(".gz");
  const input = new LocalStorage(spec.inputRoot);
  const out = new LocalStorage(spec.outDir);
  let src: Readable = await input.readStream(task.shard);
  if (gz) src = src.pipe(createGunzip());
  const target = await out.openAtomic(`selected/${task.shard}`);
  let sink: Writable = target.stream;
  const gzip = gz ? createGzip() : undefined;
  if (gzip) {
    gzip.pipe(target.stream);
    sink = gzip;
  }
  const counts = { read: 0, kept: 0, dropped: 0, rejected: 0 };
  let charsKept = 0;
  try {
    const lines = createInterface({ input: src, crlfDelay: Infinity });
    for await (const line of lines) {
      if (ctx.signal?.aborted) throw new Error("aborted");
      if (line.length === 0) continue;
      counts.read++;
      let text: unknown;
      try {
        text = (JSON.parse(line) as { text?: unknown })?.text;
      } catch {
        text = undefined;
      }
      if (typeof text !== "string") counts.rejected++;
      else if (text.length >= min && text.length <= max) {
        counts.kept++;
        charsKept += text.length;
        if (!sink.write(line + "\n")) await new Promise<void>((r) => sink.once("drain", () => r()));
      } else counts.dropped++;
      ctx.progress(1);
    }
    if (gzip) {
      const done = new Promise<void>((r) => target.stream.once("finish", () => r()));
      gzip.end();
      await done;
    }
    await target.commit();
  } catch (err) {
    await target.abort();
    throw err;
  }
  const result: ShardResult = { shard: task.shard, index: task.index, seconds: 0, counts: { ...counts, extra: { chars_kept: charsKept } } };
  return result;
};
