/**
 * A BullMQ worker that runs shard jobs on a thread pool: the processor only parses the payload
 * and forwards it to a thread, so the main thread stays free to renew job locks (a stalled lock
 * would hand the job to another worker while this one is still busy). Used by
 * `datatailor worker` and by a coordinator's own local workers (`--workers N`).
 */
import path from "node:path";
import { UnrecoverableError, Worker, type Job } from "bullmq";
import { connect, DEFAULT_QUEUE, isConnectionError, OutageLog, redactUrl } from "./redis.js";
import { ThreadPool } from "./pool.js";
import { checkPayload } from "./run-task.js";
import type { JobSpec, ShardResult, ShardTask } from "./types.js";

/** What a queue job carries: everything a remote process needs to run one shard. */
export interface ShardJobData {
  kind: string;
  inputRoot: string;
  outDir: string;
  params: unknown;
  shard: string;
  index: number;
}

export interface QueueWorkerOptions {
  redis: string;
  queue?: string;
  /** Shards processed at once, each on its own thread (default 1). */
  concurrency?: number;
  /** How long a job's lock lives without renewal before another worker may take it over. */
  lockMs?: number;
  /** How often this worker looks for jobs whose lock expired (a dead worker's jobs). */
  stalledMs?: number;
  /** When set, payload input and output directories must lie inside one of these. */
  allowRoots?: string[];
  log?: (m: string) => void;
  /** Period of the "still no Redis" line during an outage (default 60 s). */
  outageLogMs?: number;
}

export interface QueueWorkerHandle {
  worker: Worker<ShardJobData, ShardResult>;
  /** True while Redis is unreachable. */
  readonly redisDown: boolean;
  /**
   * Resolves when the worker has finished its current jobs and disconnected. With `force` (or
   * while Redis is unreachable, when nothing could be handed back anyway) it stops at once:
   * running shards are abandoned, their job locks expire and another worker redoes them.
   */
  close(opts?: { force?: boolean }): Promise<void>;
}

function inside(root: string, p: string): boolean {
  const r = path.resolve(root);
  const a = path.resolve(p);
  return a === r || a.startsWith(r + path.sep);
}

export function jobToTask(data: ShardJobData, allowRoots?: string[]): { spec: JobSpec<unknown>; task: ShardTask } {
  const spec: JobSpec<unknown> = { kind: data.kind, inputRoot: data.inputRoot, outDir: data.outDir, params: data.params };
  const task: ShardTask = { index: data.index, shard: data.shard };
  try {
    checkPayload(spec, task);
    if (!path.isAbsolute(spec.outDir) || !path.isAbsolute(spec.inputRoot)) throw new Error("payload directories must be absolute");
    if (allowRoots?.length) {
      for (const [what, dir] of [["outDir", spec.outDir], ["inputRoot", spec.inputRoot]] as const)
        if (!allowRoots.some((r) => inside(r, dir))) throw new Error(`payload ${what} ${dir} is outside the allowed roots`);
    }
  } catch (err) {
    // A bad payload fails the same way on every attempt: do not retry it.
    throw new UnrecoverableError((err as Error).message);
  }
  return { spec, task };
}

export function startQueueWorker(opts: QueueWorkerOptions): QueueWorkerHandle {
  const concurrency = opts.concurrency ?? 1;
  const log = opts.log ?? (() => {});
  const pool = new ThreadPool(concurrency);
  const connection = connect(opts.redis);
  const outage = new OutageLog(`worker: lost Redis at ${redactUrl(opts.redis)}`, log, opts.outageLogMs);
  connection.on("error", (err) => outage.failure(err));
  connection.on("ready", () => {
    const ms = outage.recovered();
    if (ms !== undefined) log(`worker: reconnected to Redis at ${redactUrl(opts.redis)} after ${(ms / 1000).toFixed(1)} s`);
  });

  const processor = async (job: Job<ShardJobData, ShardResult>): Promise<ShardResult> => {
    const { spec, task } = jobToTask(job.data, opts.allowRoots);
    let done = 0;
    let last = 0;
    let reported = 0;
    const report = () => {
      if (done === reported) return;
      reported = done;
      last = Date.now();
      // Progress is advisory; a Redis hiccup must not fail the shard.
      job.updateProgress(done).catch(() => {});
    };
    const result = await pool.run(spec, task, (n) => {
      done += n;
      if (Date.now() - last > 500) report();
    });
    report();
    return result;
  };

  const worker = new Worker<ShardJobData, ShardResult>(opts.queue ?? DEFAULT_QUEUE, processor, {
    connection,
    concurrency,
    lockDuration: opts.lockMs ?? 30_000,
    stalledInterval: opts.stalledMs ?? 30_000,
    maxStalledCount: 2,
    autorun: true,
  });
  // BullMQ reports the connection's failures too (sometimes before the connection does, and
  // every failed command during an outage): those count as the outage's.
  worker.on("error", (err) => (outage.down || isConnectionError(err) ? outage.failure(err) : log(`worker: ${err.message}`)));
  worker.on("failed", (job, err) => job && log(`worker: ${job.data.shard} failed (attempt ${job.attemptsMade}): ${err.message}`));

  return {
    worker,
    get redisDown() {
      return outage.down;
    },
    async close(o = {}) {
      // BullMQ's graceful close waits on Redis; while it is away that would never end.
      const force = o.force || outage.down;
      if (force) connection.disconnect();
      await worker.close(force);
      await pool.close();
      connection.disconnect();
    },
  };
}
