/**
 * A fixed pool of worker threads that run shard tasks (src/exec/thread-worker.ts). Shards are
 * CPU-bound (parse, tokenize, classify), so each runs on its own thread and the main thread
 * stays free for I/O, progress and — in queue workers — BullMQ lock renewal. A thread that
 * dies fails only its current task and is replaced.
 */
import type { Worker } from "node:worker_threads";
import { siblingModule, startThread } from "../util/worker.js";
import { UserError } from "../util/errors.js";
import { extraHandlerModules, registrationModules, type HandlerModuleSpec } from "./handlers.js";
import type { JobSpec, ShardResult, ShardTask } from "./types.js";
import { answerFileRequest, type FileReply, type FileRequest } from "./shared-files.js";
import { sharedSnapshot } from "../util/thread-shared.js";

/** What a pool thread starts with: the kinds its parent knows. */
export interface ThreadData {
  handlers: HandlerModuleSpec[];
  /** Registration modules (URLs) to import, see handlers.ts. */
  registrations: string[];
}

export type ToThread = { type: "run"; id: number; spec: JobSpec<unknown>; task: ShardTask; shared?: Record<string, unknown> } | FileReply;
export type ToParent =
  | { type: "progress"; id: number; records: number }
  | { type: "done"; id: number; result: ShardResult }
  | { type: "error"; id: number; message: string; stack?: string; exitCode?: number; name?: string }
  | FileRequest;

/** A task failure, carrying the shard so callers can name it. */
export class TaskError extends UserError {
  constructor(
    readonly shard: string,
    message: string,
    exitCode = 1,
  ) {
    super(`${shard}: ${message}`, exitCode);
    this.name = "TaskError";
  }
}

interface Pending {
  id: number;
  spec: JobSpec<unknown>;
  task: ShardTask;
  onProgress?: (records: number) => void;
  resolve: (r: ShardResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  job?: Pending;
}

export class ThreadPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly handlers: HandlerModuleSpec[];
  private nextId = 1;
  private closed = false;

  constructor(
    readonly size: number,
    opts: { handlers?: HandlerModuleSpec[] } = {},
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`thread pool size must be a positive integer, got ${size}`);
    this.handlers = opts.handlers ?? extraHandlerModules();
  }

  run(spec: JobSpec<unknown>, task: ShardTask, onProgress?: (records: number) => void): Promise<ShardResult> {
    if (this.closed) return Promise.reject(new Error("thread pool is closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, spec, task, onProgress, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      // what this thread shares (util/thread-shared.ts): big read-only models, by reference
      const msg: ToThread = { type: "run", id: job.id, spec: job.spec, task: job.task, shared: sharedSnapshot() };
      slot.worker.postMessage(msg);
    }
  }

  private spawn(): Slot {
    const workerData: ThreadData = { handlers: this.handlers, registrations: registrationModules() };
    const worker = startThread(siblingModule(import.meta.url, "thread-worker"), { workerData });
    const slot: Slot = { worker };
    this.slots.push(slot);
    worker.on("message", (m: ToParent) => {
      if (m.type === "file") return answerFileRequest(m, (r) => worker.postMessage(r));
      const job = slot.job;
      if (!job || m.id !== job.id) return;
      if (m.type === "progress") job.onProgress?.(m.records);
      else {
        slot.job = undefined;
        if (m.type === "done") job.resolve(m.result);
        else job.reject(new TaskError(job.task.shard, m.message, m.exitCode ?? 1));
        this.dispatch();
      }
    });
    const fail = (err: Error) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      const job = slot.job;
      slot.job = undefined;
      if (job) job.reject(new TaskError(job.task.shard, `worker thread died: ${err.message}`));
      if (!this.closed) this.dispatch();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => {
      if (this.slots.includes(slot)) fail(new Error(`exit code ${code}`));
    });
    return slot;
  }

  /** Rejects queued tasks and stops all threads (running tasks are abandoned). */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error("thread pool closed"));
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
