/**
 * `lm train` on two cores: the main thread counts one partition of the n-grams while a worker
 * thread counts the other into the same shared arrays (models/ngram/trie.ts), then both
 * resolve their nodes' prefixes and the main thread estimates. The partitions are the same as
 * trainNgram's, which counts them one after the other, so the ARPA is the same either way.
 */
import os from "node:os";
import type { Worker } from "node:worker_threads";
import { MemoryBudgetError } from "../../models/ngram/memory.js";
import { finishTraining, planCount, trainNgram, trainPlanned, type TrainedModel, type TrainOptions } from "../../models/ngram/train.js";
import { PartCounter } from "../../models/ngram/trie.js";
import { siblingModule, startThread } from "../../util/worker.js";
import type { CountReply, CountRequest } from "./ngram-count-worker.js";

/** Below this many tokens counting is quick enough that a thread's start is not worth it. */
export const THREADED_MIN_TOKENS = 1 << 20;

/** The counting thread; started early, its start overlaps reading the text. */
export class CountThread {
  private readonly worker: Worker;
  private readonly replies: { resolve: (r: CountReply) => void; reject: (e: Error) => void }[] = [];
  private failed: Error | null = null;

  constructor() {
    this.worker = startThread(siblingModule(import.meta.url, "ngram-count-worker"));
    this.worker.on("message", (r: CountReply) => this.replies.shift()?.resolve(r));
    const fail = (e: Error) => {
      this.failed = e;
      for (const q of this.replies.splice(0)) q.reject(e);
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`n-gram counting thread exited with code ${code}`)));
  }

  /** Null on a single core. */
  static start(): CountThread | null {
    return os.availableParallelism() > 1 ? new CountThread() : null;
  }

  call(req: CountRequest): Promise<CountReply> {
    return new Promise((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      this.replies.push({ resolve, reject });
      this.worker.postMessage(req);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners("exit");
    this.worker.on("error", () => {});
    await this.worker.terminate();
  }
}

function fromReply(r: CountReply, budget: number): Error | null {
  if ("budget" in r) return new MemoryBudgetError(budget, r.ngrams);
  if ("error" in r) return new Error(`n-gram counting thread: ${r.error}`);
  return null;
}

/**
 * trainNgram with partition 1 counted on `thread` (then closed); on one thread when there is
 * none or the text is small.
 */
export async function trainNgramThreaded(text: Uint8Array, opts: TrainOptions, thread: CountThread | null, minTokens = THREADED_MIN_TOKENS): Promise<TrainedModel> {
  try {
    if (!thread) return trainNgram(text, opts);
    const c = planCount(text, opts);
    if (c.plan.length < minTokens || c.plan.parts !== 2) return trainPlanned(c, opts);
    const budget = opts.memory ?? Infinity;
    const theirs = thread.call({ count: c.plan, part: 1 });
    theirs.catch(() => {});
    const mine = new PartCounter(c.plan, 0);
    mine.count(opts.onProgress && ((d) => opts.onProgress!("count", d, c.plan.length)));
    const r = await theirs;
    const err = fromReply(r, budget);
    if (err) throw err;
    const end1 = (r as { end: number }).end;
    const resolved = thread.call({ resolve: true });
    resolved.catch(() => {});
    mine.resolvePrefixes();
    const err2 = fromReply(await resolved, budget);
    if (err2) throw err2;
    return finishTraining(c, [mine.end, end1], opts);
  } finally {
    await thread?.close();
  }
}
