/**
 * The default executor: shard tasks on N worker threads of this machine. Shards run in index
 * order as threads free up; results come back sorted by index, so the output of a run does not
 * depend on the number of workers. The first failing shard stops new dispatches and fails the
 * run once the shards already running have finished (their outputs stay complete).
 */
import { openStorage } from "../io/storage.js";
import { beginJob, sweepTemporaries } from "./completions.js";
import { ThreadPool } from "./pool.js";
import type { Executor, JobSpec, RunOptions, ShardResult, ShardTask, StorageFactory } from "./types.js";

export interface LocalExecutorOptions {
  /** Worker threads (default 1). */
  workers?: number;
  /** Opens the job's output storage (default: a local or shared-filesystem directory). */
  storage?: StorageFactory;
}

/** Runs tasks on a pool, at most `pool.size` at a time, stopping at the first failure. */
export async function runOnPool<P>(pool: ThreadPool, spec: JobSpec<P>, tasks: ShardTask[], opts: RunOptions = {}): Promise<ShardResult[]> {
  const ordered = [...tasks].sort((a, b) => a.index - b.index);
  const results: ShardResult[] = [];
  let next = 0;
  let failure: Error | undefined;
  const lane = async () => {
    while (!failure && next < ordered.length) {
      const task = ordered[next++];
      try {
        const r = await pool.run(spec as JobSpec<unknown>, task, opts.onProgress);
        results.push(r);
        opts.onShardDone?.(r);
      } catch (err) {
        failure ??= err as Error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(pool.size, ordered.length) }, lane));
  if (failure) throw failure;
  return results.sort((a, b) => a.index - b.index);
}

export class LocalExecutor implements Executor {
  readonly name = "local";
  readonly partial = false;
  readonly workers: number;
  private readonly storage: StorageFactory;
  private pool: ThreadPool | undefined;

  constructor(opts: LocalExecutorOptions = {}) {
    this.workers = opts.workers ?? 1;
    this.storage = opts.storage ?? openStorage;
    if (!Number.isInteger(this.workers) || this.workers < 1) throw new Error(`--workers must be a positive integer for the local executor, got ${this.workers}`);
  }

  async run<P>(spec: JobSpec<P>, tasks: ShardTask[], opts: RunOptions = {}): Promise<ShardResult[]> {
    const out = this.storage(spec.outDir);
    await beginJob(out, spec as JobSpec<unknown>, tasks, opts.log);
    this.pool ??= new ThreadPool(this.workers);
    const results = await runOnPool(this.pool, spec, tasks, opts);
    // Every shard of this run is finished, so any temporary left in the output is an orphan
    // of an earlier killed run.
    await sweepTemporaries(out);
    return results;
  }

  prepare<T>(_outDir: string, _key: string, work: () => Promise<T>): Promise<T> {
    return work();
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = undefined;
  }
}
