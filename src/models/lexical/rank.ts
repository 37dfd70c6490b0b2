/**
 * BETR's ranking stage on sparse lexical vectors: for every target example, rank the sampled
 * documents by cosine similarity and credit each document for its rank. `sum` adds 1/rank over
 * examples (reciprocal-rank fusion without its constant): a document near many examples beats
 * one that is the single nearest neighbour of one off-topic example, which is what `max`
 * (BETR's log2(1/rank)) rewards and what makes it noisy with a few hundred examples
 * (docs/select.md has the measurements). Only the `topK` best documents of each example are
 * credited, as BETR does at scale; documents sharing no term with an example are never credited by it.
 */
import { invertCsr, type Csr } from "./csr.js";

export type RankAggregate = "sum" | "max";

export interface LexicalRankResult {
  /** Aggregated rank credit per document (never credited: 0 for sum, -Infinity for max). */
  score: Float64Array;
  /** Index of the example that ranks the document highest (-1 = none). */
  bestExample: Int32Array;
  /** That best rank (1-based; 0 = none). */
  bestRank: Int32Array;
}

/** The k-th largest of a[0..n) (1-based k), by quickselect on a scratch copy. */
function kthLargest(a: Float32Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  const want = k - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (want <= j) hi = j;
    else if (want >= i) lo = i;
    else break;
  }
  return a[want]!;
}

export function lexicalRankScores(targets: Csr, docs: Csr, columns: number, opts: { aggregate: RankAggregate; topK: number }): LexicalRankResult {
  const n = docs.rows;
  const inv = invertCsr(docs, columns);
  // max: log2(1/rank) of the best rank; a document no example credits ranks below all others
  const score = new Float64Array(n).fill(opts.aggregate === "max" ? -Infinity : 0);
  const bestExample = new Int32Array(n).fill(-1);
  const bestRank = new Int32Array(n);
  const acc = new Float32Array(n);
  const touched = new Int32Array(n);
  const scratch = new Float32Array(n);
  const top: number[] = [];
  for (let t = 0; t < targets.rows; t++) {
    let nt = 0;
    for (let k = targets.ptr[t]!; k < targets.ptr[t + 1]!; k++) {
      const c = targets.idx[k]!;
      const w = targets.val[k]!;
      for (let p = inv.start[c]!; p < inv.start[c + 1]!; p++) {
        const d = inv.row[p]!;
        if (acc[d] === 0) touched[nt++] = d;
        acc[d]! += w * inv.val[p]!;
      }
    }
    // The topK best of the touched docs (ties by document order), best first.
    top.length = 0;
    if (nt > opts.topK) {
      for (let i = 0; i < nt; i++) scratch[i] = acc[touched[i]!]!;
      const kth = kthLargest(scratch, nt, opts.topK);
      for (let i = 0; i < nt; i++) if (acc[touched[i]!]! >= kth) top.push(touched[i]!);
    } else for (let i = 0; i < nt; i++) top.push(touched[i]!);
    top.sort((a, b) => acc[b]! - acc[a]! || a - b);
    const m = Math.min(top.length, opts.topK);
    for (let r = 0; r < m; r++) {
      const d = top[r]!;
      if (!(acc[d]! > 0)) break;
      const rank = r + 1;
      if (opts.aggregate === "sum") score[d]! += 1 / rank;
      if (bestRank[d] === 0 || rank < bestRank[d]!) {
        bestRank[d] = rank;
        bestExample[d] = t;
        if (opts.aggregate === "max") score[d] = -Math.log2(rank);
      }
    }
    for (let i = 0; i < nt; i++) acc[touched[i]!] = 0;
  }
  return { score, bestExample, bestRank };
}
