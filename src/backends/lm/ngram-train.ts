/**
 * `lm train` on two cores: the main thread counts one partition of the n-grams while a worker
 * thread counts the other into the same shared arrays (models/ngram/trie.ts), then both
 * resolve their nodes' prefixes and run the estimate's steps on their own span. The partitions are the same as
 * trainNgram's, which counts them one after the other, so the ARPA is the same either way.
 */
import os from "node:os";
import { MemoryBudgetError } from "../../models/ngram/memory.js";
import { countedTrie, estimateOptions, planCount, trainedModel, trainNgram, trainPlanned, type TrainedModel, type TrainOptions } from "../../models/ngram/train.js";
import { adjustSpan, contextRange, discountsOf, estimateArrays, estimateResult, interpolateSpan, type SpanCounts } from "../../models/ngram/estimate.js";
import { PartCounter } from "../../models/ngram/trie.js";
import { RequestThread } from "../../util/request-thread.js";
import { siblingModule } from "../../util/worker.js";
import type { CountReply, CountRequest, FormatJob, SectionMessage } from "./ngram-count-worker.js";
import { wordTable } from "../../models/ngram/arpa-write.js";

/** Below this many tokens counting is quick enough that a thread's start is not worth it. */
export const THREADED_MIN_TOKENS = 1 << 20;
/**
 * A text smaller than this many bytes starts no thread. At 2 bytes a token (a one-letter word
 * and its space) it is below THREADED_MIN_TOKENS, and formatting half of its ARPA on the thread
 * saves no more than the thread's start costs (order 5 on two busy cores: the thread loses at
 * 0.6 MB, breaks even at 2 to 3 MB, gains 0.3 s at 4 MB).
 */
export const THREADED_MIN_BYTES = 2 * THREADED_MIN_TOKENS;

/** The counting thread; started early, its start overlaps reading the text. */
export class CountThread {
  private readonly thread = new RequestThread<CountRequest, CountReply>(siblingModule(import.meta.url, "ngram-count-worker"), {
    name: "n-gram counting thread",
    onMessage: (m) => {
      if (!("section" in (m as object))) return false;
      this.onSection?.(m as SectionMessage);
      return true;
    },
  });

  /** Null on a single core. */
  static start(): CountThread | null {
    return os.availableParallelism() > 1 ? new CountThread() : null;
  }

  call(req: CountRequest): Promise<CountReply> {
    return this.thread.call(req);
  }

  /**
   * Formats the n-grams in `spans` of node ids, every order, on this thread (the model's arrays
   * are shared memory, nothing is copied): each order's bytes as soon as they are done.
   */
  format(model: TrainedModel, spans: number[]): { sections: Promise<Uint8Array[]>[]; done: Promise<void> } {
    const { wordStart, words } = wordTable(model.vocab);
    const t = model.trie;
    const e = model.estimate;
    const waiting = Array.from({ length: e.order }, () => {
      let resolve!: (c: Uint8Array[]) => void;
      let reject!: (err: Error) => void;
      const p = new Promise<Uint8Array[]>((res, rej) => ((resolve = res), (reject = rej)));
      p.catch(() => {});
      return { p, resolve, reject };
    });
    this.onSection = (m) => waiting[m.section - 1]?.resolve(m.chunks);
    const job: FormatJob = { N: e.order, data: t.data, ord: t.order, spans: t.spans, mine: spans, counts: e.counts, prob: e.prob, backoff: e.backoff, wordStart, words, ...(e.keep ? { keep: e.keep } : {}), ...(e.scratch ? { scratch: e.scratch } : {}) };
    const done = this.call({ format: job }).then((r) => {
      const err = fromReply(r, Infinity);
      if (err) throw err;
    });
    done.catch((err: Error) => {
      for (const w of waiting) w.reject(err);
    });
    return { sections: waiting.map((w) => w.p), done };
  }

  private onSection: ((m: SectionMessage) => void) | null = null;

  close(): Promise<void> {
    return this.thread.close();
  }
}

/** Sends `req` to the thread, runs `mine` here meanwhile; both results once the thread replies. */
async function both<T>(thread: CountThread, req: CountRequest, mine: () => T, budget: number): Promise<[T, CountReply]> {
  const theirs = thread.call(req);
  const r = mine();
  const reply = await theirs;
  const err = fromReply(reply, budget);
  if (err) throw err;
  return [r, reply];
}

function fromReply(r: CountReply, budget: number): Error | null {
  if ("budget" in r) return new MemoryBudgetError(budget, r.ngrams);
  if ("error" in r) return new Error(`n-gram counting thread: ${r.error}`);
  return null;
}

/**
 * trainNgram with partition 1 counted and estimated on `thread` (which stays open: the caller
 * may format with it, and closes it); on this thread alone when there is none or the text is
 * small.
 */
export async function trainNgramThreaded(text: Uint8Array, opts: TrainOptions, thread: CountThread | null, minTokens = THREADED_MIN_TOKENS): Promise<TrainedModel> {
  if (!thread) return trainNgram(text, opts);
  const c = planCount(text, opts);
  if (c.plan.length < minTokens || c.plan.parts !== 2) return trainPlanned(c, opts);
  const budget = opts.memory ?? Infinity;
  const mine = new PartCounter(c.plan, 0);
  const [, counted] = await both(thread, { count: c.plan, part: 1 }, () => mine.count(opts.onProgress && ((d) => opts.onProgress!("count", d, c.plan.length))), budget);
  await both(thread, { resolve: true }, () => mine.resolvePrefixes(), budget);
  c.plan.posNode = new Int32Array(0); // done with (the thread drops its view too): free for estimation
  // the estimate's steps, each span on its own thread
  const trie = countedTrie(c, [mine.end, (counted as { end: number }).end]);
  const e = estimateArrays(trie, opts.prune);
  const [s0, e0, s1, e1] = trie.spans;
  const [ours, theirs] = await both(thread, { adjust: e, from: s1, to: e1 }, () => adjustSpan(e, s0, e0), budget);
  const { counts, coc, discounts } = discountsOf(e, [ours, (theirs as { counts: SpanCounts }).counts], estimateOptions(opts));
  // the root's context (0) goes with partition 0, whose span starts at 1
  await both(thread, { context: { lo: s1, hi: e1, discounts } }, () => contextRange(e, 0, e0, discounts), budget);
  const vocabSize = counts[0] - 1;
  await both(thread, { interpolate: { from: s1, to: e1, discounts, vocabSize } }, () => interpolateSpan(e, s0, e0, discounts, vocabSize), budget);
  return trainedModel(c, trie, estimateResult(e, counts, coc, discounts));
}
