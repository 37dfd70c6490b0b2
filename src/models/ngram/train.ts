/**
 * lmplz in one call: text bytes → counted trie → modified Kneser–Ney estimate. The caller
 * turns the result into ARPA chunks (arpa-write.ts) and does the I/O. The steps are exported
 * too, for a caller that counts the partitions on several threads (backends/lm/ngram-train.ts):
 * planCount, then PartCounter.count and resolvePrefixes per partition, then countedTrie, the
 * estimate's steps (estimate.ts) and trainedModel.
 */
import { tokenizeForTraining, type Corpus } from "./corpus.js";
import { estimate, type Estimate, type EstimateOptions } from "./estimate.js";
import type { Discount } from "./discount.js";
import { BYTES_PER_NGRAM, BYTES_PER_TOKEN, BYTES_PER_TOKEN_ORDER, MemoryBudgetError } from "./memory.js";
import { PartCounter, SuffixTrie, type CountPlan } from "./trie.js";
import { EOS, UNK, Vocab } from "./vocab.js";

/**
 * Partitions the words are split into: fixed, so the ARPA (whose lines come in node order) is
 * the same whether they are counted on one thread or side by side.
 */
export const COUNT_PARTS = 2;

export interface TrainOptions {
  order: number;
  fallback?: Discount;
  /** lmplz --prune thresholds, one per order (see EstimateOptions.prune). */
  prune?: number[];
  skipSymbols?: boolean;
  /** Bytes the model may use; counting stops with MemoryBudgetError beyond it. */
  memory?: number;
  log?: (message: string) => void;
  onProgress?: (stage: "count", done: number, total: number) => void;
}

export interface TrainedModel {
  vocab: Vocab;
  trie: SuffixTrie;
  estimate: Estimate;
  corpus: Pick<Corpus, "words" | "sentences">;
}

export interface Counting {
  vocab: Vocab;
  corpus: Corpus;
  plan: CountPlan;
}

/** Tokenizes the text and lays out the shared arrays the partitions are counted into. */
export function planCount(text: Uint8Array, opts: TrainOptions): Counting {
  const N = opts.order;
  if (!Number.isInteger(N) || N < 1 || N > 255) throw new RangeError(`order must be an integer from 1 to 255, got ${N}`);
  const vocab = new Vocab();
  const corpus = tokenizeForTraining(text, vocab, { skipSymbols: opts.skipSymbols, onSkip: (w) => opts.log?.(`warning: ${w} appears in the input and is treated as whitespace`) });
  const budget = opts.memory ?? Infinity;
  const textBytes = corpus.length * (BYTES_PER_TOKEN + BYTES_PER_TOKEN_ORDER * (N - 1));
  if (textBytes > budget) throw new MemoryBudgetError(budget, 0);
  const maxNodes = Math.floor((budget - textBytes) / BYTES_PER_NGRAM);

  // Words go to partitions in order of first appearance (frequent words come early), each to
  // the one with fewer tokens so far: counting work is about the same per token. The specials
  // stay in partition 0.
  const { ids, length } = corpus;
  const freq = new Float64Array(vocab.size);
  for (let i = 0; i < length; i++) freq[ids[i]]++;
  const part = new Uint8Array(new SharedArrayBuffer(vocab.size));
  const tokens = new Array<number>(COUNT_PARTS).fill(0);
  tokens[0] = freq[UNK] + freq[EOS];
  for (let w = EOS + 1; w < vocab.size; w++) {
    let best = 0;
    for (let p = 1; p < COUNT_PARTS; p++) if (tokens[p] < tokens[best]) best = p;
    part[w] = best;
    tokens[best] += freq[w];
  }
  // Each partition's span holds every n-gram its positions could make (pages never written
  // cost nothing), or the budget's worth; the lookup table is sized for natural text, where
  // distinct n-grams grow roughly like tokens × order / 2.
  const base: number[] = [];
  const limit: number[] = [];
  const expected: number[] = [];
  let next = 1;
  for (let p = 0; p < COUNT_PARTS; p++) {
    base.push(next);
    next += Math.min(tokens[p] * N + 3, maxNodes + 2);
    limit.push(next);
    expected.push(Math.max(1 << 12, Math.ceil((tokens[p] * Math.min(N, 6)) / 2)));
  }
  // shared memory: threads count into these, and the ARPA writer may format on a second thread
  const data = new Int32Array(new SharedArrayBuffer(next * 16));
  data[0] = -1;
  data[3] = -1;
  const plan: CountPlan = {
    maxOrder: N,
    ids,
    length,
    part,
    parts: COUNT_PARTS,
    base,
    limit,
    expected,
    data,
    order: new Uint8Array(new SharedArrayBuffer(next)),
    posNode: new Int32Array(new SharedArrayBuffer(length * (N - 1) * 4)),
    made: new Int32Array(new SharedArrayBuffer(COUNT_PARTS * 4)),
    maxNodes,
    budget,
  };
  return { vocab, corpus, plan };
}

/** The counted trie; `ends`: one past each partition's last node id. */
export function countedTrie(c: Counting, ends: number[]): SuffixTrie {
  const spans: number[] = [];
  for (let p = 0; p < c.plan.parts; p++) spans.push(c.plan.base[p], ends[p]);
  return new SuffixTrie(c.plan.maxOrder, c.plan.data, c.plan.order, spans);
}

export function trainedModel(c: Counting, trie: SuffixTrie, est: Estimate): TrainedModel {
  return { vocab: c.vocab, trie, estimate: est, corpus: { words: c.corpus.words, sentences: c.corpus.sentences } };
}

/** How trainNgram's options reach the estimate. */
export function estimateOptions(opts: TrainOptions): EstimateOptions {
  return { fallback: opts.fallback, onFallback: opts.log, prune: opts.prune };
}

/** Trains on this thread: the partitions are counted one after the other. */
export function trainNgram(text: Uint8Array, opts: TrainOptions): TrainedModel {
  return trainPlanned(planCount(text, opts), opts);
}

/** trainNgram once planCount is done. */
export function trainPlanned(c: Counting, opts: TrainOptions): TrainedModel {
  const counters: PartCounter[] = [];
  const total = c.plan.length * c.plan.parts;
  for (let p = 0; p < c.plan.parts; p++) {
    const k = new PartCounter(c.plan, p);
    const done = p * c.plan.length;
    k.count(opts.onProgress && ((d) => opts.onProgress!("count", done + d, total)));
    counters.push(k);
  }
  for (const k of counters) k.resolvePrefixes();
  c.plan.posNode = new Int32Array(0); // done with: free for estimation
  const trie = countedTrie(c, counters.map((k) => k.end));
  return trainedModel(c, trie, estimate(trie, estimateOptions(opts)));
}
