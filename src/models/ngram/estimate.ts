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
  /** Memory the estimate no longer needs (16 bytes per node id), for the ARPA writer to reuse (one writer at a time). */
  scratch?: ArrayBufferLike;
}

/**
 * The arrays estimation works on, all in shared memory, so that each counting partition (a
 * span of node ids, see trie.ts) can be estimated on its own thread: the steps below touch only
 * their span's nodes, except that the context sums gather from every node whose prefix falls
 * in the span.
 */
export interface EstimateArrays {
  N: number;
  data: Int32Array;
  ord: Uint8Array;
  spans: number[];
  /** per context node: [Σ a(h·), N1(h·) then γ(h) as float32, N2(h·), N3+(h·)] */
  ctxU: Uint32Array;
  ctxF: Float32Array;
  prob: Float32Array;
  backoff: Float32Array;
  prune?: number[];
  marked?: Uint8Array;
  keep?: Uint8Array;
  /** with pruning, the adjusted counts of pruned extensions per context (added to γ's mass) */
  prunedMass?: Uint32Array;
}

/** Count-of-counts and kept n-grams per order, from one span (summed over spans by the caller). */
export interface SpanCounts {
  counts: number[];
  coc: number[][];
}

export function estimateArrays(trie: SuffixTrie, prune?: number[]): EstimateArrays {
  // arrays indexed by node are sized to the highest id; ids between the spans are never touched
  const size = trie.size;
  const shared = (bytes: number) => new SharedArrayBuffer(bytes);
  const ctxBuf = shared(size * 16);
  const p = prune && prune.some((t) => t > 0) ? prune : undefined;
  return {
    N: trie.maxOrder,
    data: trie.data,
    ord: trie.order,
    spans: trie.spans,
    ctxU: new Uint32Array(ctxBuf),
    ctxF: new Float32Array(ctxBuf),
    // the ARPA writer may also format an order on a second thread
    prob: new Float32Array(shared(size * 4)),
    backoff: new Float32Array(shared(size * 4)),
    ...(p ? { prune: p, marked: new Uint8Array(shared(size)), keep: new Uint8Array(shared(size)), prunedMass: new Uint32Array(shared(size * 4)) } : {}),
  };
}

/** Step 1, per span: pruning marks, adjusted counts (children share their parent's span), count-of-counts. */
export function adjustSpan(e: EstimateArrays, from: number, to: number): SpanCounts {
  const { N, data, ord, prune, marked, keep } = e;
  // lmplz marks n-grams whose raw count is at most the order's threshold (never <s> or <unk>),
  // and keeps marked unigrams that are special words.
  if (prune && marked && keep) {
    for (let node = from; node < to; node++) {
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
  for (let node = from; node < to; node++) {
    const o = node * STRIDE_;
    if (ord[node] < N && data[o + 1] !== BOS_) data[o + 2] = 0;
  }
  for (let node = from; node < to; node++) {
    if (ord[node] < 2) continue;
    const p = data[node * STRIDE_] * STRIDE_;
    if (data[p + 1] !== BOS_) data[p + 2]++;
  }
  const counts = new Array<number>(N).fill(0);
  const coc = Array.from({ length: N }, () => [0, 0, 0, 0, 0]);
  for (let node = from; node < to; node++) {
    const n = ord[node] - 1;
    if (!keep || keep[node]) counts[n]++;
    const a = data[node * STRIDE_ + 2];
    if (a < 5) coc[n][a]++;
  }
  return { counts, coc };
}

/**
 * Step 2, per range of context ids [lo, hi) (a span, the root with the first): the sums over
 * the contexts' extensions, gathered from every node, then γ(h) of the contexts in `contexts`
 * (spans within the range, the ids in use), with the context's order deciding the discount
 * (its extensions are one order up).
 */
export function contextRange(e: EstimateArrays, lo: number, hi: number, discounts: Discount[], contexts: number[] = [lo, hi]): void {
  const { data, ord, spans, ctxU, ctxF, marked, prunedMass } = e;
  for (let sp = 0; sp < spans.length; sp += 2)
    for (let node = spans[sp]; node < spans[sp + 1]; node++) {
      const ctx = data[node * STRIDE_ + 3];
      if (ctx < lo || ctx >= hi) continue;
      const o = ctx << 2;
      const a = data[node * STRIDE_ + 2];
      ctxU[o] += a;
      if (marked && marked[node]) prunedMass![ctx] += a;
      else if (a > 0) ctxU[o + (a < 3 ? a : 3)]++;
    }
  for (let sp = 0; sp < contexts.length; sp += 2)
    for (let ctx = contexts[sp]; ctx < contexts[sp + 1]; ctx++) {
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
}

/**
 * Step 3, per span, once every context is summed: interpolation in node order (a suffix is
 * always older than its extensions, and in the same span); prob holds each n-gram's
 * probability itself until the span is done (its extensions read it), then its log10.
 */
export function interpolateSpan(e: EstimateArrays, from: number, to: number, discounts: Discount[], vocabSize: number): void {
  const { N, data, ord, ctxU, ctxF, prob, backoff } = e;
  const uniform = f(1.0 / f(vocabSize));
  const rootDenom = f(ctxU[0]);
  const rootGamma = ctxF[1];
  for (let node = from; node < to; node++) {
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
  for (let node = from; node < to; node++) {
    const l = f(Math.log10(prob[node]));
    prob[node] = l < 0 ? l : 0;
  }
}

/** Sums the spans' counts and computes the discounts (DiscountError as lmplz words it). */
export function discountsOf(e: EstimateArrays, parts: SpanCounts[], opts: EstimateOptions): { counts: number[]; coc: number[][]; discounts: Discount[] } {
  const counts = new Array<number>(e.N).fill(0);
  const coc = Array.from({ length: e.N }, () => [0, 0, 0, 0, 0]);
  for (const p of parts)
    for (let n = 0; n < e.N; n++) {
      counts[n] += p.counts[n];
      for (let a = 0; a < 5; a++) coc[n][a] += p.coc[n][a];
    }
  const discounts = coc.map((n, i) => computeDiscount(i + 1, n, opts.fallback, opts.onFallback));
  return { counts, coc, discounts };
}

export function estimateResult(e: EstimateArrays, counts: number[], coc: number[][], discounts: Discount[]): Estimate {
  return { order: e.N, counts, discounts, countOfCounts: coc.map((c) => c.slice(1)), prob: e.prob, backoff: e.backoff, ...(e.keep ? { keep: e.keep } : {}), scratch: e.ctxU.buffer };
}

/** All steps on this thread. */
export function estimate(trie: SuffixTrie, opts: EstimateOptions = {}): Estimate {
  const e = estimateArrays(trie, opts.prune);
  const spans = trie.spans;
  const parts: SpanCounts[] = [];
  for (let sp = 0; sp < spans.length; sp += 2) parts.push(adjustSpan(e, spans[sp], spans[sp + 1]));
  const { counts, coc, discounts } = discountsOf(e, parts, opts);
  contextRange(e, 0, trie.size, discounts, [0, 1, ...spans]);
  for (let sp = 0; sp < spans.length; sp += 2) interpolateSpan(e, spans[sp], spans[sp + 1], discounts, counts[0] - 1);
  return estimateResult(e, counts, coc, discounts);
}
