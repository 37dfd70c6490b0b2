/**
 * Thread body for `lm train`: counts one partition of the n-grams into the shared arrays while
 * the main thread counts the other (models/ngram/trie.ts), then, when told that every
 * partition is counted, resolves its nodes' prefixes.
 */
import { parentPort } from "node:worker_threads";
import { MemoryBudgetError } from "../../models/ngram/memory.js";
import { PartCounter, type CountPlan } from "../../models/ngram/trie.js";

export type CountRequest = { count: CountPlan; part: number } | { resolve: true };
export type CountReply = { end: number } | { resolved: true } | { budget: number; ngrams: number } | { error: string };

let counter: PartCounter | null = null;
parentPort!.on("message", (req: CountRequest) => {
  try {
    if ("count" in req) {
      counter = new PartCounter(req.count, req.part);
      counter.count();
      parentPort!.postMessage({ end: counter.end } satisfies CountReply);
    } else {
      counter!.resolvePrefixes();
      parentPort!.postMessage({ resolved: true } satisfies CountReply);
    }
  } catch (e) {
    const reply: CountReply = e instanceof MemoryBudgetError ? { budget: e.budget, ngrams: e.ngrams } : { error: (e as Error).stack ?? String(e) };
    parentPort!.postMessage(reply);
  }
});
