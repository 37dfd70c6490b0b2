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
import { STRIDE, type SuffixTrie } from "./trie.js";
import { computeDiscount, discountFor, type Discount } from "./discount.js";
import { BOS, EOS, UNK } from "./vocab.js";
// local copies: under a CommonJS transform (tsx) an imported binding costs a getter call per use
const STRIDE_ = STRIDE, BOS_ = BOS, UNK_ = UNK, EOS_ = EOS;
const f = Math.fround;

export interface EstimateOptions {
  /** lmplz --discount_fallback: substitutes when the closed form fails (undefined = error). */
  fallback?: Discount;
  /**
   * lmplz --prune: per order (index 0 = unigrams), n-grams occurring at most this often are
   * dropped (never <s>, <unk>, </s>); their adjusted counts still count in the discounts and go
   * to their context's backoff mass.
   */
  prune?: number[];
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
  /** With pruning: 1 for the nodes the ARPA keeps (absent when nothing is pruned). */
  keep?: Uint8Array;
}

export function estimate(trie: SuffixTrie, opts: EstimateOptions = {}): Estimate {
  const N = trie.maxOrder;
  // arrays indexed by node are sized to the highest id; ids between the spans are never touched
  const size = trie.size;
  const spans = trie.spans;
  const ctxSpans = [0, 1, ...spans];
  const data = trie.data;
  const ord = trie.order;

  // lmplz marks n-grams whose raw count is at most the order's threshold (never <s> or <unk>),
  // and keeps marked unigrams that are special words.
  const prune = opts.prune && opts.prune.some((t) => t > 0) ? opts.prune : undefined;
  let marked: Uint8Array | undefined;
  let keep: Uint8Array | undefined;
  if (prune) {
    marked = new Uint8Array(size);
    keep = new Uint8Array(size);
    for (let sp = 0; sp < spans.length; sp += 2) for (let node = spans[sp]; node < spans[sp + 1]; node++) {
      const o = node * STRIDE_;
      const n = ord[node];
      const w = data[o + 1];
      const special = n === 1 && (w === UNK_ || w === BOS_ || w === EOS_);
      const m = !(n === 1 && (w === UNK_ || w === BOS_)) && data[o + 2] <= prune[n - 1];
      marked[node] = m ? 1 : 0;
      keep[node] = !m || special ? 1 : 0;
    }
  }

  // Adjusted counts replace the raw counts in the trie (no second array of the same size): the
  // highest order and n-grams starting with <s> keep theirs, every other n-gram counts its
  // distinct left extensions (its children). A parent always starts one word later, so testing
  // the parent's own first word tells which kind it is.
  for (let sp = 0; sp < spans.length; sp += 2) for (let node = spans[sp]; node < spans[sp + 1]; node++) {
    const o = node * STRIDE_;
    if (ord[node] < N && data[o + 1] !== BOS_) data[o + 2] = 0;
  }
  for (let sp = 0; sp < spans.length; sp += 2) for (let node = spans[sp]; node < spans[sp + 1]; node++) {
    if (ord[node] < 2) continue;
    const p = data[node * STRIDE_] * STRIDE_;
    if (data[p + 1] !== BOS_) data[p + 2]++;
  }
  const counts = new Array<number>(N).fill(0);
  const coc = Array.from({ length: N }, () => [0, 0, 0, 0, 0]);
  for (let sp = 0; sp < spans.length; sp += 2) for (let node = spans[sp]; node < spans[sp + 1]; node++) {
    const n = ord[node] - 1;
    if (!keep || keep[node]) counts[n]++;
    const a = data[node * STRIDE_ + 2];
    if (a < 5) coc[n][a]++;
  }
  const discounts = coc.map((n, i) => computeDiscount(i + 1, n, opts.fallback, opts.onFallback));

  // Per context (indexed by node id, root = the empty context of unigrams), one 16-byte record:
  // [Σ a(h·), N1(h·), N2(h·), N3+(h·)]; N1's slot then holds γ(h) as float32, so
  // interpolation reads one cache line per context.
  const ctxBuf = new ArrayBuffer(size * 16);
  const ctxU = new Uint32Array(ctxBuf);
  const ctxF = new Float32Array(ctxBuf);
  // with pruning, the adjusted counts of pruned extensions per context (added to γ's mass)
  const prunedMass = marked ? new Uint32Array(size) : undefined;
  for (let sp = 0; sp < spans.length; sp += 2) for (let node = spans[sp]; node < spans[sp + 1]; node++) {
    const ctx = data[node * STRIDE_ + 3];
    const o = ctx << 2;
    const a = data[node * STRIDE_ + 2];
    ctxU[o] += a;
    if (marked && marked[node]) prunedMass![ctx] += a;
    else if (a > 0) ctxU[o + (a < 3 ? a : 3)]++;
  }
  // γ(h), with the context's order deciding the discount (its extensions are one order up).
  for (let sp = 0; sp < ctxSpans.length; sp += 2) for (let ctx = ctxSpans[sp]; ctx < ctxSpans[sp + 1]; ctx++) {
    const o = ctx << 2;
    const den = ctxU[o];
    if (den === 0) continue;
    const d = discounts[ord[ctx]];
    let g = 0;
    g = f(g + f(d[1] * f(ctxU[o + 1])));
    g = f(g + f(d[2] * f(ctxU[o + 2])));
    g = f(g + f(d[3] * f(ctxU[o + 3])));
    if (prunedMass) g = f(g + f(prunedMass[ctx]));
    ctxF[o + 1] = f(g / f(den));
  }

  // Interpolate in node order (a suffix is always older than its extensions).
  const vocabSize = counts[0] - 1;
  const uniform = f(1.0 / f(vocabSize));
  // shared memory, so the ARPA writer can format an order on a second thread; prob holds each
  // n-gram's interpolated probability itself until all are done (its extensions read it), then
  // its log10
  const prob = new Float32Array(new SharedArrayBuffer(size * 4));
  const backoff = new Float32Array(new SharedArrayBuffer(size * 4));
  const rootDenom = f(ctxU[0]);
  const rootGamma = ctxF[1];
  for (let sp = 0; sp < spans.length; sp += 2) for (let node = spans[sp]; node < spans[sp + 1]; node++) {
    const o = node * STRIDE_;
    const parent = data[o];
    const word = data[o + 1];
    const c = data[o + 3] << 2;
    const n = ord[node];
    const d = discounts[n - 1];
    const a = data[o + 2];
    let p: number;
    if (n === 1) {
      if (word === UNK_) p = f(rootGamma * uniform);
      else if (word === BOS_) p = 1;
      else p = f(f(f(f(a) - discountFor(d, a)) / rootDenom) + f(rootGamma * uniform));
    } else {
      p = f(f(f(f(a) - discountFor(d, a)) / f(ctxU[c])) + f(ctxF[c + 1] * prob[parent]));
    }
    prob[node] = p;
    const self = node << 2;
    backoff[node] = n < N && ctxU[self] > 0 ? f(Math.log10(ctxF[self + 1])) : 0;
  }
  for (let sp = 0; sp < spans.length; sp += 2) for (let node = spans[sp]; node < spans[sp + 1]; node++) {
    const l = f(Math.log10(prob[node]));
    prob[node] = l < 0 ? l : 0;
  }
  return { order: N, counts, discounts, countOfCounts: coc.map((c) => c.slice(1)), prob, backoff, ...(keep ? { keep } : {}) };
}
