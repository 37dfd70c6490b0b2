/**
 * What every file-based shard handler does first: find the shard's format, its path and size
 * through the storage the executor injected (ctx.input / ctx.output), and hand back a way to
 * get checked output paths. Handlers never open storage themselves, so a store other than the
 * local filesystem slots in behind the executors alone.
 */
import { stat } from "node:fs/promises";
import { detectFormat, type ShardFormat } from "../io/formats.js";
import type { Storage } from "../io/storage.js";
import type { JobSpec, ShardTask, TaskContext } from "./types.js";

export interface ShardJob {
  input: Storage;
  output: Storage;
  format: ShardFormat;
  /** The shard on the filesystem (symlinks followed, as corpus shards are read). */
  path: string;
  bytes: number;
  /** A checked filesystem path for an output under the job's output directory. */
  outputPath(rel: string): Promise<string>;
  /** A filesystem path to read a run-level file under the output directory (an index, a model). */
  outputReadPath(rel: string): string;
}

export async function openShardJob(spec: JobSpec<unknown>, task: ShardTask, ctx: TaskContext): Promise<ShardJob> {
  const { input, output } = ctx;
  const format = detectFormat(task.shard);
  if (!format) throw new Error(`${task.shard}: not a corpus shard`);
  const path = input.localPath(task.shard);
  // The readers and writers below stream files; an object store would stage them locally first.
  if (path === undefined) throw new Error(`${spec.kind}: input storage ${input.location} gives no filesystem path`);
  const { size } = await stat(path);
  return {
    input,
    output,
    format,
    path,
    bytes: size,
    async outputPath(rel) {
      const p = await output.localWritePath(rel);
      if (p === undefined) throw new Error(`${spec.kind}: output storage ${output.location} gives no filesystem path`);
      return p;
    },
    outputReadPath(rel) {
      const p = output.localPath(rel);
      if (p === undefined) throw new Error(`${spec.kind}: output storage ${output.location} gives no filesystem path`);
      return p;
    },
  };
}
