/**
 * A worker thread spoken to by request and reply: the worker answers its messages in the order
 * they came, so each reply settles the oldest call still waiting. A worker that fails (an
 * uncaught error, an exit, a message that cannot be read) rejects every waiting call and every
 * later one with that first failure: no call is left waiting forever.
 */
import type { TransferListItem, Worker, WorkerOptions } from "node:worker_threads";
import { startThread } from "./worker.js";

export interface RequestThreadOptions {
  /** Names the thread in the errors this class makes ("<name> exited with code 1"). */
  name: string;
  /**
   * Sees every message first; returns true for one that answers no call (progress, partial
   * results), which then settles nothing.
   */
  onMessage?: (message: unknown) => boolean;
  worker?: WorkerOptions;
}

export class RequestThread<Req, Reply = unknown> {
  private readonly worker: Worker;
  private readonly waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  private failed: Error | null = null;

  constructor(moduleUrl: URL, private readonly opts: RequestThreadOptions) {
    this.worker = startThread(moduleUrl, opts.worker);
    this.worker.on("message", (m: unknown) => {
      if (opts.onMessage?.(m)) return;
      this.waiting.shift()?.resolve(m as Reply);
    });
    this.worker.on("error", (e) => this.fail(e));
    this.worker.on("messageerror", (e) => this.fail(e));
    this.worker.on("exit", (code) => this.fail(new Error(`${opts.name} exited with code ${code}`)));
  }

  /**
   * The worker's reply to `req`; `transfer` moves those buffers to the worker instead of
   * copying them. The promise may be awaited later (work done here meanwhile): its rejection
   * is not reported as unhandled before then.
   */
  call<R extends Reply = Reply>(req: Req, transfer: readonly TransferListItem[] = []): Promise<R> {
    const reply = new Promise<R>((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      this.waiting.push({ resolve: resolve as (r: Reply) => void, reject });
      this.worker.postMessage(req, transfer);
    });
    reply.catch(() => {});
    return reply;
  }

  /** Stops the worker; calls still waiting, and any later one, are rejected. */
  async close(): Promise<void> {
    this.fail(new Error(`${this.opts.name} closed`));
    await this.worker.terminate();
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const w of this.waiting.splice(0)) w.reject(this.failed);
  }
}
