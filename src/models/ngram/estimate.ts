/**
 * Interpolated modified Kneser–Ney over a counted suffix trie, step for step as lmplz does it
 * (adjust_counts.cc, initial_probabilities.cc, interpolate.cc), in float32 where lmplz uses float:
 *  - adjusted counts: the highest order and n-grams starting with <s> keep their counts; every
 *    other n-gram counts its distinct left extensions;
 *  - discounts per order from the count-of-counts of adjusted counts;
 *  - p(w|h) = (a(hw) − D(a(hw))) / Σ_x a(hx) + γ(h)·p(w|h′), γ(h) = Σ_k D_k·N_k(h·) / Σ_x a(hx);
 *  - unigrams interpolate with the uniform 1/|V| (|V| counts <unk>, not <s>), <unk> gets only
 *    that share, <s> gets probability 1 (log10 0) since it is never predicted;
 *  - backoff(h) = log10 γ(h) for n-grams that are contexts, 0 otherwise.
 */
import { ROOT, STRIDE, type SuffixTrie } from "./trie.js";
import { computeDiscount, discountFor, type Discount } from "./discount.js";
import { BOS, UNK } from "./vocab.js";

const f = Math.fround;

export interface EstimateOptions {
  /** lmplz --discount_fallback: substitutes when the closed form fails (undefined = error). */
  fallback?: Discount;
  onFallback?: (message: string) => void;
}

export interface Estimate {
  order: number;
  /** Number of n-grams per order (index 0 = unigrams), as in the ARPA header. */
  counts: number[];
  discounts: Discount[];
  /** count-of-counts n_1..n_4 of adjusted counts per order. */
  countOfCounts: number[][];
  /** log10 p and log10 backoff per trie node (node 0, the root, unused). */
  prob: Float32Array;
  backoff: Float32Array;
}

export function estimate(trie: SuffixTrie, opts: EstimateOptions = {}): Estimate {
  const N = trie.maxOrder;
  const size = trie.size;
  const data = trie.data;
  const ord = trie.order;

  // Adjusted counts: continuation counts first, then the raw count where lmplz keeps it.
  const adj = new Uint32Array(size);
  for (let node = 1; node < size; node++) if (ord[node] >= 2) adj[data[node * STRIDE]]++;
  for (let node = 1; node < size; node++) {
    const o = node * STRIDE;
    if (ord[node] === N || data[o + 1] === BOS) adj[node] = data[o + 2];
  }

  const counts = new Array<number>(N).fill(0);
  const coc = Array.from({ length: N }, () => [0, 0, 0, 0, 0]);
  for (let node = 1; node < size; node++) {
    const n = ord[node] - 1;
    counts[n]++;
    const a = adj[node];
    if (a < 5) coc[n][a]++;
  }
  const discounts = coc.map((n, i) => computeDiscount(i + 1, n, opts.fallback, opts.onFallback));

  // Per context (indexed by node id, root = the empty context of unigrams): Σ a(h·) and N_k(h·).
  const denom = new Uint32Array(size);
  const nk = new Uint32Array(size * 3);
  for (let node = 1; node < size; node++) {
    const ctx = data[node * STRIDE + 3];
    const a = adj[node];
    denom[ctx] += a;
    if (a > 0) nk[ctx * 3 + (a < 3 ? a : 3) - 1]++;
  }
  // γ(h), with the context's order deciding the discount (its extensions are one order up).
  const gamma = new Float32Array(size);
  for (let ctx = 0; ctx < size; ctx++) {
    if (denom[ctx] === 0) continue;
    const d = discounts[ord[ctx]];
    let g = 0;
    g = f(g + f(d[1] * f(nk[ctx * 3])));
    g = f(g + f(d[2] * f(nk[ctx * 3 + 1])));
    g = f(g + f(d[3] * f(nk[ctx * 3 + 2])));
    gamma[ctx] = f(g / f(denom[ctx]));
  }

  // Interpolate in node order (a suffix is always older than its extensions).
  const vocabSize = counts[0] - 1;
  const uniform = f(1.0 / f(vocabSize));
  const complete = new Float32Array(size);
  const prob = new Float32Array(size);
  const backoff = new Float32Array(size);
  const rootDenom = f(denom[ROOT]);
  for (let node = 1; node < size; node++) {
    const o = node * STRIDE;
    const parent = data[o];
    const word = data[o + 1];
    const ctx = data[o + 3];
    const n = ord[node];
    const d = discounts[n - 1];
    const a = adj[node];
    let p: number;
    if (n === 1) {
      if (word === UNK) p = f(gamma[ROOT] * uniform);
      else if (word === BOS) p = 1;
      else p = f(f(f(f(a) - discountFor(d, a)) / rootDenom) + f(gamma[ROOT] * uniform));
    } else {
      p = f(f(f(f(a) - discountFor(d, a)) / f(denom[ctx])) + f(gamma[ctx] * complete[parent]));
    }
    complete[node] = p;
    const l = f(Math.log10(p));
    prob[node] = l < 0 ? l : 0;
    backoff[node] = n < N && denom[node] > 0 ? f(Math.log10(gamma[node])) : 0;
  }
  return { order: N, counts, discounts, countOfCounts: coc.map((c) => c.slice(1)), prob, backoff };
}
