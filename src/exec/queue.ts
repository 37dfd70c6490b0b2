/**
 * The queue executor: one BullMQ job per shard on Redis, run by any number of
 * `datatailor worker` processes (and optionally N local threads in the coordinator).
 *
 * Completion markers on the shared storage, not Redis, are the source of truth: the coordinator
 * learns about finished shards from job events (fast path) and from a periodic reconciliation
 * that reads markers and job states. That is what makes a Redis restart survivable even when
 * Redis loses its data: a job that vanished without a marker is simply enqueued again, and a
 * job whose marker exists is done whatever Redis remembers.
 *
 * One run is a `QueueRun`, whose steps read in order: skip finished shards, connect, listen to
 * job events, watch the connection, enqueue, wait (reconciling), clean up.
 */
import { randomBytes } from "node:crypto";
import { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { UserError } from "../util/errors.js";
import { openStorage, type Storage } from "../io/storage.js";
import { beginJob, jobFingerprint, readCompletion, sweepTemporaries } from "./completions.js";
import { TaskError } from "./pool.js";
import { startQueueWorker, type QueueWorkerHandle, type ShardJobData } from "./queue-worker.js";
import { connect, DEFAULT_QUEUE, OutageLog, probeRedis, redactUrl } from "./redis.js";
import type { Executor, JobSpec, RunOptions, ShardResult, ShardTask, StorageFactory } from "./types.js";

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
  /** Opens the job's output storage (default: a local or shared-filesystem directory). */
  storage?: StorageFactory;
}

interface Pending {
  task: ShardTask;
  jobId: string;
  progress: number;
}

/** The state of one `run`: its shards, Redis clients and the promise that settles when all are done. */
class QueueRun {
  readonly log: (m: string) => void;
  readonly queueName: string;
  readonly fingerprint: string;
  readonly results = new Map<number, ShardResult>();
  readonly pending = new Map<string, Pending>();
  readonly finished: Promise<void>;
  private settle!: (err?: Error) => void;
  failed = false;
  private connection!: Redis;
  private eventsConnection!: Redis;
  queue!: Queue<ShardJobData, ShardResult>;
  private events!: QueueEvents;
  private outage!: OutageLog;
  private reconciling = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly jobOpts;

  constructor(
    private readonly o: QueueExecutorOptions,
    readonly spec: JobSpec<unknown>,
    readonly out: Storage,
    private readonly runOpts: RunOptions,
  ) {
    this.log = o.log ?? (() => {});
    this.queueName = o.queue ?? DEFAULT_QUEUE;
    this.fingerprint = jobFingerprint(spec);
    this.finished = new Promise<void>((resolve, reject) => {
      this.settle = (err) => (err ? reject(err) : resolve());
    });
    this.finished.catch(() => {}); // awaited in wait(); this only stops an early failure counting as unhandled
    this.jobOpts = {
      attempts: o.attempts ?? 3,
      backoff: { type: "exponential" as const, delay: o.backoffMs ?? 2000 },
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    };
  }

  /** Step 1: shards with a marker for this job are done already; the others become pending jobs. */
  async skipFinished(tasks: ShardTask[]): Promise<void> {
    const runId = `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
    for (const task of [...tasks].sort((a, b) => a.index - b.index)) {
      const prior = await readCompletion(this.out, task.shard, this.fingerprint);
      if (prior) {
        this.results.set(task.index, { ...prior, skipped: true });
        this.runOpts.onShardDone?.({ ...prior, skipped: true });
      } else this.pending.set(`${runId}-${task.index}`, { task, jobId: `${runId}-${task.index}`, progress: 0 });
    }
  }

  /** Step 2: the queue, its event stream and their connections. */
  connect(): void {
    this.connection = connect(this.o.redis);
    this.eventsConnection = connect(this.o.redis);
    this.queue = new Queue<ShardJobData, ShardResult>(this.queueName, { connection: this.connection });
    this.events = new QueueEvents(this.queueName, { connection: this.eventsConnection });
  }

  payload(t: ShardTask): ShardJobData {
    const s = this.spec;
    return { kind: s.kind, inputRoot: s.inputRoot, outDir: s.outDir, params: s.params, shard: t.shard, index: t.index };
  }

  private finish(p: Pending, r: ShardResult): void {
    if (!this.pending.delete(p.jobId)) return;
    const result: ShardResult = { ...r, shard: p.task.shard, index: p.task.index };
    if (result.counts.read > p.progress) this.runOpts.onProgress?.(result.counts.read - p.progress);
    this.results.set(p.task.index, result);
    this.runOpts.onShardDone?.(result);
    if (this.pending.size === 0) this.settle();
  }

  fail(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.settle(err);
  }

  /** Step 3: progress, completion and failure events of this run's jobs. */
  listen(): void {
    this.events.on("progress", ({ jobId, data }) => {
      const p = this.pending.get(jobId);
      const n = typeof data === "number" ? data : Number(data);
      if (p && Number.isFinite(n) && n > p.progress) {
        this.runOpts.onProgress?.(n - p.progress);
        p.progress = n;
      }
    });
    this.events.on("completed", ({ jobId, returnvalue }) => {
      const p = this.pending.get(jobId);
      if (!p) return;
      try {
        this.finish(p, (typeof returnvalue === "string" ? JSON.parse(returnvalue) : returnvalue) as ShardResult);
      } catch {
        /* reconciliation will read the marker */
      }
    });
    this.events.on("failed", ({ jobId, failedReason }) => {
      const p = this.pending.get(jobId);
      if (p) this.fail(new TaskError(p.task.shard, `failed after retries: ${failedReason}`));
    });
    // Outages are reported once through `connection` (watchConnection); these would repeat them.
    this.events.on("error", () => {});
    this.queue.on("error", () => {});
    this.eventsConnection.on("error", () => {});
  }

  /** Step 4: log an outage once, reconcile on reconnect, give up after redisDownMs; reconcile periodically. */
  watchConnection(): void {
    const url = redactUrl(this.o.redis);
    this.outage = new OutageLog(`lost Redis at ${url}`, this.log);
    this.connection.on("error", (err) => this.outage.failure(err));
    this.connection.on("ready", () => {
      const ms = this.outage.recovered();
      if (ms === undefined) return;
      this.log(`reconnected to Redis at ${url} after ${(ms / 1000).toFixed(1)} s`);
      void this.reconcile();
    });
    this.timer = setInterval(() => {
      const down = this.outage.downFor;
      if (down > (this.o.redisDownMs ?? 300_000)) {
        this.fail(new UserError(`Redis at ${url} unreachable for ${Math.round(down / 1000)} s; giving up (finished shards keep their completion markers: rerun to resume)`));
      } else void this.reconcile();
    }, this.o.pollMs ?? 2000);
  }

  /** Markers and job states, for shards whose events were missed or whose jobs Redis lost. */
  private async reconcile(): Promise<void> {
    if (this.reconciling || this.failed) return;
    this.reconciling = true;
    try {
      for (const p of [...this.pending.values()]) {
        if (this.failed) return;
        const done = await readCompletion(this.out, p.task.shard, this.fingerprint);
        if (done) {
          this.finish(p, done);
          continue;
        }
        const state = await this.queue.getJobState(p.jobId);
        if (state === "failed") {
          const job = await this.queue.getJob(p.jobId);
          this.fail(new TaskError(p.task.shard, `failed after retries: ${job?.failedReason ?? "unknown reason"}`));
        } else if (state === "unknown") {
          // Completed-and-removed jobs wrote their marker first; re-check before re-adding.
          if (await readCompletion(this.out, p.task.shard, this.fingerprint)) continue;
          this.log(`job for ${p.task.shard} is gone from Redis (restarted without persistence?); enqueueing it again`);
          await this.queue.add(this.spec.kind, this.payload(p.task), { ...this.jobOpts, jobId: p.jobId });
        }
      }
    } catch {
      /* Redis unavailable right now: the next tick retries */
    } finally {
      this.reconciling = false;
    }
  }

  /** Step 5: one job per pending shard, in bulk. */
  async enqueue(): Promise<void> {
    await this.events.waitUntilReady();
    const list = [...this.pending.values()];
    for (let i = 0; i < list.length; i += 500) {
      await this.queue.addBulk(list.slice(i, i + 500).map((p) => ({ name: this.spec.kind, data: this.payload(p.task), opts: { ...this.jobOpts, jobId: p.jobId } })));
    }
    const done = this.results.size ? ` (${this.results.size} already done)` : "";
    this.log(`enqueued ${list.length} shard job(s) on queue '${this.queueName}' at ${redactUrl(this.o.redis)}${done}`);
  }

  /** After a failure: remove the rest of this run's jobs so idle workers do not work for nobody. */
  async withdraw(): Promise<void> {
    if (this.failed) await Promise.allSettled([...this.pending.values()].map((p) => this.queue.remove(p.jobId)));
  }

  /** Step 7: timers and connections. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.events?.close().catch(() => {});
    await this.queue?.close().catch(() => {});
    this.connection?.disconnect();
    this.eventsConnection?.disconnect();
  }

  sorted(): ShardResult[] {
    return [...this.results.values()].sort((a, b) => a.index - b.index);
  }
}

export class QueueExecutor implements Executor {
  readonly name = "queue";
  readonly partial = false;
  private readonly opts: QueueExecutorOptions;
  private readonly storage: StorageFactory;
  private local: QueueWorkerHandle | undefined;

  constructor(opts: QueueExecutorOptions) {
    this.opts = opts;
    this.storage = opts.storage ?? openStorage;
    const w = opts.workers ?? 0;
    if (!Number.isInteger(w) || w < 0) throw new UserError(`--workers must be a non-negative integer, got ${w}`, 2);
  }

  prepare<T>(_outDir: string, _key: string, work: () => Promise<T>): Promise<T> {
    return work();
  }

  async run<P>(spec: JobSpec<P>, tasks: ShardTask[], runOpts: RunOptions = {}): Promise<ShardResult[]> {
    await probeRedis(this.opts.redis);
    const anySpec = spec as JobSpec<unknown>;
    const out = this.storage(spec.outDir);
    await beginJob(out, anySpec, tasks, runOpts.log ?? this.opts.log);
    const run = new QueueRun(this.opts, anySpec, out, runOpts);
    await run.skipFinished(tasks);
    if (run.pending.size === 0) return run.sorted();
    run.connect();
    run.listen();
    run.watchConnection();
    try {
      await run.enqueue();
      this.startLocalWorkers(run);
      await run.finished; // step 6: every shard done (events or reconciliation), or a failure
    } catch (err) {
      await run.withdraw();
      throw err;
    } finally {
      await this.closeLocal();
      await run.close();
    }
    await sweepTemporaries(out);
    return run.sorted();
  }

  /** This process's own worker threads on the queue (`--workers N`). */
  private startLocalWorkers(run: QueueRun): void {
    const o = this.opts;
    if ((o.workers ?? 0) > 0 && !this.local) {
      this.local = startQueueWorker({ redis: o.redis, queue: run.queueName, concurrency: o.workers, lockMs: o.lockMs, stalledMs: o.stalledMs, log: run.log });
    }
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
