/**
 * The contract between pipelines and executors (datatrove's pipeline/executor split).
 * A pipeline cuts its corpus-scale stage into shard tasks; an executor (local threads,
 * BullMQ queue, rank/world array task) decides where each task runs. Task handlers are
 * looked up by `kind` so that a worker thread or a remote `datatailor worker` can run them
 * from a JSON payload alone.
 */

import type { Storage } from "../io/storage.js";

/** Counts in datatrove's shape, plus the reconciliation datatailor adds. */
export interface ShardCounts {
  /** Records read from the shard (every line/row, good or bad). */
  read: number;
  kept: number;
  dropped: number;
  /** Bad input: unparseable lines, missing text, truncated streams... */
  rejected: number;
  /** Free-form extra counters, e.g. dropped_<reason>, tokens_kept. */
  extra?: Record<string, number>;
}

export interface ShardTask {
  /** Position of the shard in the stably sorted shard list; rank executors use index mod world. */
  index: number;
  /** Shard path relative to `inputRoot` (POSIX separators). Never absolute, never `..`. */
  shard: string;
}

export interface JobSpec<P = unknown> {
  /** Handler name, resolved by src/exec/handlers.ts in whatever process runs the task. */
  kind: string;
  inputRoot: string;
  outDir: string;
  /** JSON-serialisable handler parameters (model path, threshold, formats...). */
  params: P;
}

export interface ShardResult {
  shard: string;
  index: number;
  counts: ShardCounts;
  seconds: number;
  /** True when the shard's completion marker already existed and nothing was redone. */
  skipped?: boolean;
  /** Handler-specific JSON summary (e.g. score histogram) merged by the pipeline. */
  summary?: unknown;
}

export interface TaskContext {
  /**
   * Storage of the job's input root and output directory, opened by the executor (runTask):
   * handlers read and write through these and never open storage themselves.
   */
  input: Storage;
  output: Storage;
  /** Reports incremental progress (records done) for the coordinator's progress bar. */
  progress(records: number): void;
  /** Aborted when the executor is shutting down; handlers should stop promptly. */
  signal?: AbortSignal;
}

export type TaskHandler<P = unknown> = (spec: JobSpec<P>, task: ShardTask, ctx: TaskContext) => Promise<ShardResult>;

export interface RunOptions {
  onProgress?: (records: number) => void;
  onShardDone?: (result: ShardResult) => void;
  /** One-line notes about the run (stale shards removed, ...). */
  log?: (m: string) => void;
}

/** Opens the storage of a location (a directory, later `s3://...`); executors get one injected. */
export type StorageFactory = (location: string) => Storage;

export interface Executor {
  readonly name: string;
  /**
   * True when `run` does only part of a job's shards (an array-job rank): its results cover
   * those shards, and the run-level step (stats, summaries, report) is `datatailor merge`'s.
   */
  readonly partial: boolean;
  run<P>(spec: JobSpec<P>, tasks: ShardTask[], opts?: RunOptions): Promise<ShardResult[]>;
  /**
   * Work every process of a job needs before its shard jobs (a corpus sample, a trained model),
   * run so that processes started together do not all repeat it: an array-job rank other than
   * 0 waits until rank 0 has done it, then runs `work` itself, which finds rank 0's outputs
   * (see step-cache.ts). Local and queue executors just run it. `key` names the job's inputs
   * and options: a rank waits only for a preparation with the same key.
   */
  prepare<T>(outDir: string, key: string, work: () => Promise<T>, log?: (m: string) => void): Promise<T>;
  close?(): Promise<void>;
}
