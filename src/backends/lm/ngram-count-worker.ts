/**
 * Thread body for `lm train`: counts one partition of the n-grams into the shared arrays while
 * the main thread counts the other (models/ngram/trie.ts), then, when told that every
 * partition is counted, resolves its nodes' prefixes; then runs the estimate's steps on its
 * span (models/ngram/estimate.ts), each when the main thread says the one before is done; and
 * last formats its span's lines of every ARPA section, which the main thread writes after its own.
 */
import { parentPort } from "node:worker_threads";
import { MemoryBudgetError } from "../../models/ngram/memory.js";
import { PartCounter, SuffixTrie, type CountPlan } from "../../models/ngram/trie.js";
import { adjustSpan, contextRange, interpolateSpan, type EstimateArrays, type SpanCounts } from "../../models/ngram/estimate.js";
import type { Discount } from "../../models/ngram/discount.js";
import { arpaChunks } from "../../models/ngram/arpa-write.js";
import type { Estimate } from "../../models/ngram/estimate.js";

export type CountRequest =
  | { count: CountPlan; part: number }
  | { resolve: true }
  | { adjust: EstimateArrays; from: number; to: number }
  | { context: { lo: number; hi: number; discounts: Discount[] } }
  | { interpolate: { from: number; to: number; discounts: Discount[]; vocabSize: number } }
  | { format: FormatJob };
export type CountReply = { end: number } | { resolved: true } | { counts: SpanCounts } | { budget: number; ngrams: number } | { error: string };

/**
 * The n-grams of some spans of node ids, every order, formatted from the trained model's shared
 * arrays; each order's bytes are posted as soon as they are done ({ section }), then the reply.
 */
export interface FormatJob {
  N: number;
  data: Int32Array;
  ord: Uint8Array;
  spans: number[];
  mine: number[];
  counts: number[];
  prob: Float32Array;
  backoff: Float32Array;
  keep?: Uint8Array;
  scratch?: ArrayBufferLike;
  wordStart: Uint32Array;
  words: Uint8Array;
}
export type SectionMessage = { section: number; chunks: Uint8Array[] };

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
      counter = null; // and with it the plan's view of the positions' nodes
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
      const trie = new SuffixTrie(j.N, j.data, j.ord, j.spans);
      const est: Estimate = { order: j.N, counts: j.counts, discounts: [], countOfCounts: [], prob: j.prob, backoff: j.backoff, ...(j.keep ? { keep: j.keep } : {}), ...(j.scratch ? { scratch: j.scratch } : {}) };
      let chunks: Uint8Array[] = [];
      let n = 1;
      for (const c of arpaChunks(trie, est, { wordStart: j.wordStart, words: j.words }, { spans: j.mine, sectionEnds: true, sectionHeads: false, header: false, end: false })) {
        if (c.length > 0) {
          chunks.push(c);
          continue;
        }
        parentPort!.postMessage({ section: n++, chunks } satisfies SectionMessage, chunks.map((c) => c.buffer as ArrayBuffer));
        chunks = [];
      }
      parentPort!.postMessage({ resolved: true } satisfies CountReply);
    }
  } catch (e) {
    const reply: CountReply = e instanceof MemoryBudgetError ? { budget: e.budget, ngrams: e.ngrams } : { error: (e as Error).stack ?? String(e) };
    parentPort!.postMessage(reply);
  }
});
