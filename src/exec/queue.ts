/**
 * The queue executor: one BullMQ job per shard on Redis, run by any number of
 * `datatailor worker` processes (and optionally N local threads in the coordinator).
 *
 * Completion markers on the shared storage, not Redis, are the source of truth: the coordinator
 * learns about finished shards from job events (fast path) and from a periodic reconciliation
 * that reads markers and job states. That is what makes a Redis restart survivable even when
 * Redis loses its data: a job that vanished without a marker is simply enqueued again, and a
 * job whose marker exists is done whatever Redis remembers.
 */
import { randomBytes } from "node:crypto";
import { Queue, QueueEvents } from "bullmq";
import { UserError } from "../util/errors.js";
import { LocalStorage } from "../io/storage.js";
import { jobFingerprint, readCompletion, sweepTemporaries, writeManifest } from "./completions.js";
import { TaskError } from "./pool.js";
import { startQueueWorker, type QueueWorkerHandle, type ShardJobData } from "./queue-worker.js";
import { connect, DEFAULT_QUEUE, probeRedis, redactUrl } from "./redis.js";
import type { Executor, JobSpec, RunOptions, ShardResult, ShardTask } from "./types.js";

export interface QueueExecutorOptions {
  redis: string;
  queue?: string;
  /** Worker threads run by this process too; 0 = coordinator only. */
  workers?: number;
  /** Attempts per shard before the run fails (default 3). */
  attempts?: number;
  /** First retry delay; doubles each attempt (default 2000 ms). */
  backoffMs?: number;
  /** Lock/stalled settings for the local workers (see QueueWorkerOptions). */
  lockMs?: number;
  stalledMs?: number;
  /** Give up when Redis stays unreachable this long mid-run (default 5 min). */
  redisDownMs?: number;
  /** Reconciliation period (default 2 s). */
  pollMs?: number;
  log?: (m: string) => void;
}

interface Pending {
  task: ShardTask;
  jobId: string;
  progress: number;
}

export class QueueExecutor implements Executor {
  readonly name = "queue";
  private readonly opts: QueueExecutorOptions;
  private local: QueueWorkerHandle | undefined;

  constructor(opts: QueueExecutorOptions) {
    this.opts = opts;
    const w = opts.workers ?? 0;
    if (!Number.isInteger(w) || w < 0) throw new UserError(`--workers must be a non-negative integer, got ${w}`, 2);
  }

  async run<P>(spec: JobSpec<P>, tasks: ShardTask[], runOpts: RunOptions = {}): Promise<ShardResult[]> {
    const o = this.opts;
    const log = o.log ?? (() => {});
    const url = o.redis;
    const queueName = o.queue ?? DEFAULT_QUEUE;
    await probeRedis(url);

    const anySpec = spec as JobSpec<unknown>;
    const out = new LocalStorage(spec.outDir);
    await writeManifest(out, anySpec, tasks);
    const fingerprint = jobFingerprint(anySpec);
    const results = new Map<number, ShardResult>();
    const pending = new Map<string, Pending>();
    const runId = `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
    for (const task of [...tasks].sort((a, b) => a.index - b.index)) {
      const prior = await readCompletion(out, task.shard, fingerprint);
      if (prior) {
        results.set(task.index, { ...prior, skipped: true });
        runOpts.onShardDone?.({ ...prior, skipped: true });
      } else pending.set(`${runId}-${task.index}`, { task, jobId: `${runId}-${task.index}`, progress: 0 });
    }
    if (pending.size === 0) return [...results.values()].sort((a, b) => a.index - b.index);

    const connection = connect(url);
    const eventsConnection = connect(url);
    const queue = new Queue<ShardJobData, ShardResult>(queueName, { connection });
    const events = new QueueEvents(queueName, { connection: eventsConnection });
    const jobOpts = {
      attempts: o.attempts ?? 3,
      backoff: { type: "exponential" as const, delay: o.backoffMs ?? 2000 },
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    };
    const payload = (t: ShardTask): ShardJobData => ({ kind: spec.kind, inputRoot: spec.inputRoot, outDir: spec.outDir, params: spec.params, shard: t.shard, index: t.index });

    let settle!: (err?: Error) => void;
    const finished = new Promise<void>((resolve, reject) => {
      settle = (err) => (err ? reject(err) : resolve());
    });
    finished.catch(() => {}); // awaited below; this only stops an early failure counting as unhandled
    let failed = false;
    const finish = (p: Pending, r: ShardResult) => {
      if (!pending.delete(p.jobId)) return;
      const result: ShardResult = { ...r, shard: p.task.shard, index: p.task.index };
      if (result.counts.read > p.progress) runOpts.onProgress?.(result.counts.read - p.progress);
      results.set(p.task.index, result);
      runOpts.onShardDone?.(result);
      if (pending.size === 0) settle();
    };
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      settle(err);
    };

    events.on("progress", ({ jobId, data }) => {
      const p = pending.get(jobId);
      const n = typeof data === "number" ? data : Number(data);
      if (p && Number.isFinite(n) && n > p.progress) {
        runOpts.onProgress?.(n - p.progress);
        p.progress = n;
      }
    });
    events.on("completed", ({ jobId, returnvalue }) => {
      const p = pending.get(jobId);
      if (!p) return;
      try {
        finish(p, (typeof returnvalue === "string" ? JSON.parse(returnvalue) : returnvalue) as ShardResult);
      } catch {
        /* reconciliation will read the marker */
      }
    });
    events.on("failed", ({ jobId, failedReason }) => {
      const p = pending.get(jobId);
      if (p) fail(new TaskError(p.task.shard, `failed after retries: ${failedReason}`));
    });
    // Outages are reported once through `connection` below; these would repeat them.
    events.on("error", () => {});
    queue.on("error", () => {});
    eventsConnection.on("error", () => {});

    // Connection health: log once per outage, give up after redisDownMs.
    let downSince: number | undefined;
    connection.on("error", (err) => {
      if (downSince === undefined) {
        downSince = Date.now();
        log(`lost Redis at ${redactUrl(url)} (${err.message}); reconnecting`);
      }
    });
    connection.on("ready", () => {
      if (downSince !== undefined) {
        log(`reconnected to Redis at ${redactUrl(url)} after ${((Date.now() - downSince) / 1000).toFixed(1)} s`);
        downSince = undefined;
        void reconcile();
      }
    });

    let reconciling = false;
    const reconcile = async () => {
      if (reconciling || failed) return;
      reconciling = true;
      try {
        for (const p of [...pending.values()]) {
          if (failed) return;
          const done = await readCompletion(out, p.task.shard, fingerprint);
          if (done) {
            finish(p, done);
            continue;
          }
          const state = await queue.getJobState(p.jobId);
          if (state === "failed") {
            const job = await queue.getJob(p.jobId);
            fail(new TaskError(p.task.shard, `failed after retries: ${job?.failedReason ?? "unknown reason"}`));
          } else if (state === "unknown") {
            // Completed-and-removed jobs wrote their marker first; re-check before re-adding.
            if (await readCompletion(out, p.task.shard, fingerprint)) continue;
            log(`job for ${p.task.shard} is gone from Redis (restarted without persistence?); enqueueing it again`);
            await queue.add(spec.kind, payload(p.task), { ...jobOpts, jobId: p.jobId });
          }
        }
      } catch {
        /* Redis unavailable right now: the next tick retries */
      } finally {
        reconciling = false;
      }
    };
    const timer = setInterval(() => {
      if (downSince !== undefined && Date.now() - downSince > (o.redisDownMs ?? 300_000)) {
        fail(new UserError(`Redis at ${redactUrl(url)} unreachable for ${Math.round((Date.now() - downSince) / 1000)} s; giving up (finished shards keep their completion markers: rerun to resume)`));
      } else void reconcile();
    }, o.pollMs ?? 2000);

    try {
      await events.waitUntilReady();
      const list = [...pending.values()];
      for (let i = 0; i < list.length; i += 500) {
        await queue.addBulk(list.slice(i, i + 500).map((p) => ({ name: spec.kind, data: payload(p.task), opts: { ...jobOpts, jobId: p.jobId } })));
      }
      log(`enqueued ${list.length} shard job(s) on queue '${queueName}' at ${redactUrl(url)}${results.size ? ` (${results.size} already done)` : ""}`);
      if ((o.workers ?? 0) > 0 && !this.local) {
        this.local = startQueueWorker({ redis: url, queue: queueName, concurrency: o.workers, lockMs: o.lockMs, stalledMs: o.stalledMs, log });
      }
      await finished;
    } catch (err) {
      if (failed) {
        // Stop the rest of this run's jobs so idle workers do not keep working for nobody.
        await Promise.allSettled([...pending.values()].map((p) => queue.remove(p.jobId)));
      }
      throw err;
    } finally {
      clearInterval(timer);
      await this.closeLocal();
      await events.close().catch(() => {});
      await queue.close().catch(() => {});
      connection.disconnect();
      eventsConnection.disconnect();
    }
    await sweepTemporaries(out);
    return [...results.values()].sort((a, b) => a.index - b.index);
  }

  private async closeLocal(): Promise<void> {
    const l = this.local;
    this.local = undefined;
    await l?.close();
  }

  async close(): Promise<void> {
    await this.closeLocal();
  }
}
