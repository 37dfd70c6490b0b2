/**
 * Thread body for `lm train`: counts one partition of the n-grams into the shared arrays while
 * the main thread counts the other (models/ngram/trie.ts), then, when told that every
 * partition is counted, resolves its nodes' prefixes; then runs the estimate's steps on its
 * span (models/ngram/estimate.ts), each when the main thread says the one before is done; and
 * last formats the ARPA sections the main thread does not write itself.
 */
import { parentPort } from "node:worker_threads";
import { MemoryBudgetError } from "../../models/ngram/memory.js";
import { PartCounter, type CountPlan } from "../../models/ngram/trie.js";
import { adjustSpan, contextRange, interpolateSpan, type EstimateArrays, type SpanCounts } from "../../models/ngram/estimate.js";
import type { Discount } from "../../models/ngram/discount.js";
import { sectionChunks } from "../../models/ngram/arpa-write.js";

export type CountRequest =
  | { count: CountPlan; part: number }
  | { resolve: true }
  | { adjust: EstimateArrays; from: number; to: number }
  | { context: { lo: number; hi: number; discounts: Discount[] } }
  | { interpolate: { from: number; to: number; discounts: Discount[]; vocabSize: number } }
  | { format: FormatJob };
export type CountReply = { end: number } | { resolved: true } | { counts: SpanCounts } | { chunks: Uint8Array[] } | { budget: number; ngrams: number } | { error: string };

/** ARPA sections to format from the trained model's shared arrays, in output order. */
export interface FormatJob {
  data: Int32Array;
  ord: Uint8Array;
  prob: Float32Array;
  backoff: Float32Array;
  wordStart: Uint32Array;
  words: Uint8Array;
  /** an order's n-grams in these spans of node ids, with the section header or not */
  sections: { n: number; spans: number[]; header: boolean }[];
  N: number;
  kept?: Uint8Array;
}

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
    } else if ("interpolate" in req) {
      const r = req.interpolate;
      interpolateSpan(arrays!, r.from, r.to, r.discounts, r.vocabSize);
      parentPort!.postMessage({ resolved: true } satisfies CountReply);
    } else {
      const j = req.format;
      const chunks: Uint8Array[] = [];
      for (const s of j.sections) for (const c of sectionChunks(j.data, j.ord, s.spans, j.prob, j.backoff, j.wordStart, j.words, s.n, j.N, j.kept, s.header)) chunks.push(c);
      parentPort!.postMessage({ chunks } satisfies CountReply, chunks.map((c) => c.buffer as ArrayBuffer));
    }
  } catch (e) {
    const reply: CountReply = e instanceof MemoryBudgetError ? { budget: e.budget, ngrams: e.ngrams } : { error: (e as Error).stack ?? String(e) };
    parentPort!.postMessage(reply);
  }
});
