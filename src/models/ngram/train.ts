/**
 * lmplz in one call: text bytes → counted trie → modified Kneser–Ney estimate. The caller
 * turns the result into ARPA chunks (arpa-write.ts) and does the I/O.
 */
import { tokenizeForTraining, type Corpus } from "./corpus.js";
import { estimate, type Estimate } from "./estimate.js";
import type { Discount } from "./discount.js";
import { BYTES_PER_NGRAM, BYTES_PER_TOKEN, MemoryBudgetError } from "./memory.js";
import { SuffixTrie } from "./trie.js";
import { BOS, EOS, UNK, Vocab } from "./vocab.js";

/** Reserved up front at most (2 GiB of node data); a larger model grows its arrays on demand. */
const MAX_NODES = 1 << 27;

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

export function trainNgram(text: Uint8Array, opts: TrainOptions): TrainedModel {
  if (!Number.isInteger(opts.order) || opts.order < 1 || opts.order > 255) throw new RangeError(`order must be an integer from 1 to 255, got ${opts.order}`);
  const vocab = new Vocab();
  const corpus = tokenizeForTraining(text, vocab, { skipSymbols: opts.skipSymbols, onSkip: (w) => opts.log?.(`warning: ${w} appears in the input and is treated as whitespace`) });
  const budget = opts.memory ?? Infinity;
  const textBytes = corpus.length * BYTES_PER_TOKEN;
  if (textBytes > budget) throw new MemoryBudgetError(budget, 0);
  // lookup table size guess: distinct n-grams grow roughly like tokens × order / 2 on natural text
  const guess = Math.min(Math.max(1 << 16, Math.ceil((corpus.length * Math.min(opts.order, 6)) / 2)), 1 << 28);
  // node arrays: at most one new n-gram per token and order (plus the specials), within the
  // budget; only what is used gets touched
  const maxNodes = Math.floor((budget - textBytes) / BYTES_PER_NGRAM) + 2;
  const capacity = Math.max(1 << 16, Math.min(corpus.length * opts.order + 4, maxNodes, MAX_NODES));
  const trie = new SuffixTrie(opts.order, capacity, budget - textBytes, Math.min(guess, capacity));
  for (const w of [UNK, BOS, EOS]) trie.unigramNode(w);
  try {
    trie.countCorpus(corpus.ids, corpus.length, opts.onProgress && ((d) => opts.onProgress!("count", d, corpus.length)));
  } catch (e) {
    // report the user's whole budget, not what was left for n-grams after the text
    if (e instanceof MemoryBudgetError) throw new MemoryBudgetError(budget, e.ngrams);
    throw e;
  }
  trie.releaseIndex();
  const est = estimate(trie, { fallback: opts.fallback, onFallback: opts.log, prune: opts.prune });
  return { vocab, trie, estimate: est, corpus: { words: corpus.words, sentences: corpus.sentences } };
}
