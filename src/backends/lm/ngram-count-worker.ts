/**
 * Thread body for `lm train`: counts one partition of the n-grams into the shared arrays while
 * the main thread counts the other (models/ngram/trie.ts), then, when told that every
 * partition is counted, resolves its nodes' prefixes; then runs the estimate's steps on its
 * span (models/ngram/estimate.ts), each when the main thread says the one before is done.
 */
import { parentPort } from "node:worker_threads";
import { MemoryBudgetError } from "../../models/ngram/memory.js";
import { PartCounter, type CountPlan } from "../../models/ngram/trie.js";
import { adjustSpan, contextRange, interpolateSpan, type EstimateArrays, type SpanCounts } from "../../models/ngram/estimate.js";
import type { Discount } from "../../models/ngram/discount.js";

export type CountRequest =
  | { count: CountPlan; part: number }
  | { resolve: true }
  | { adjust: EstimateArrays; from: number; to: number }
  | { context: { lo: number; hi: number; discounts: Discount[] } }
  | { interpolate: { from: number; to: number; discounts: Discount[]; vocabSize: number } };
export type CountReply = { end: number } | { resolved: true } | { counts: SpanCounts } | { budget: number; ngrams: number } | { error: string };

let counter: PartCounter | null = null;
let arrays: EstimateArrays | null = null;
parentPort!.on("message", (req: CountRequest) => {
  try {
    if ("count" in req) {
      counter = new PartCounter(req.count, req.part);
      counter.count();
      parentPort!.postMessage({ end: counter.end } satisfies CountReply);
    } else if ("resolve" in req) {
      counter!.resolvePrefixes();
      parentPort!.postMessage({ resolved: true } satisfies CountReply);
    } else if ("adjust" in req) {
      arrays = req.adjust;
      parentPort!.postMessage({ counts: adjustSpan(arrays, req.from, req.to) } satisfies CountReply);
    } else if ("context" in req) {
      contextRange(arrays!, req.context.lo, req.context.hi, req.context.discounts);
      parentPort!.postMessage({ resolved: true } satisfies CountReply);
    } else {
      const r = req.interpolate;
      interpolateSpan(arrays!, r.from, r.to, r.discounts, r.vocabSize);
      parentPort!.postMessage({ resolved: true } satisfies CountReply);
    }
  } catch (e) {
    const reply: CountReply = e instanceof MemoryBudgetError ? { budget: e.budget, ngrams: e.ngrams } : { error: (e as Error).stack ?? String(e) };
    parentPort!.postMessage(reply);
  }
});
