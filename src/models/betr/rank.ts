/**
 * BETR doc scores (Mizrahi et al. 2025): every target example ranks the sampled docs by cosine
 * (rank 1 = nearest); a doc's score is the max (default) or mean over examples of log2(1/rank)
 * (default) or 1/rank. With `topK`, an example only ranks its K nearest docs and every other
 * doc counts as rank K+1 for it; a doc outside every top-K therefore scores value(K+1).
 * The best example of a doc is the one that ranks it highest (lowest example index on ties).
 *
 * Examples are processed in fixed chunks (a function of m and n only); mean partial sums are
 * added chunk by chunk in order, so serial and parallel runs give the same bits.
 */
import { cosineRows } from "./kernel.js";
import { rankRow, RankWorkspace } from "./ranks.js";

export interface BetrRankOptions {
  aggregate: "max" | "mean";
  value: "log" | "inverse";
  topK?: number;
}

export interface BetrScores {
  score: Float64Array;
  bestExample: Int32Array;
}

/** Examples per cosine group: 64 rows of n floats are computed per sweep over the docs. */
const GROUP = 64;
const MAX_CHUNKS = 64;
/** Bytes allowed for the per-chunk mean partial sums. */
const PARTIAL_BUDGET = 256 * 1024 * 1024;

export function rankValue(rank: number, value: BetrRankOptions["value"]): number {
  // 0 - x keeps rank 1 at +0 rather than -0
  return value === "log" ? 0 - Math.log2(rank) : 1 / rank;
}

/** Effective K: undefined or ≥ n means exact ranks over all docs. */
export function effectiveK(opts: BetrRankOptions, n: number): number {
  const k = opts.topK;
  if (k === undefined || k >= n) return n;
  if (!Number.isInteger(k) || k < 1) throw new Error(`topK must be a positive integer, got ${k}`);
  return k;
}

/** Chunk start offsets (plus m at the end). Depends only on m and n, never on worker count. */
export function exampleChunks(m: number, n: number): number[] {
  const byMemory = Math.max(1, Math.floor(PARTIAL_BUDGET / (8 * Math.max(1, n))));
  const count = Math.max(1, Math.min(MAX_CHUNKS, byMemory, m));
  const size = Math.ceil(m / count);
  const starts: number[] = [];
  for (let s = 0; s < m; s += size) starts.push(s);
  starts.push(m);
  return starts;
}

/** Scratch for one thread: cosine rows of a group and ranking buffers. */
export class ChunkWorkspace {
  readonly rows: Float32Array;
  readonly ranks: RankWorkspace;
  constructor(readonly n: number, k: number) {
    this.rows = new Float32Array(GROUP * n);
    this.ranks = new RankWorkspace(n, Math.min(k, n));
  }
}

/**
 * Ranks examples [e0, e1) against all docs. Updates `bestRank`/`bestExample` (lower rank wins,
 * then lower example index) and, when `partial` is given, stores there the chunk's sum of
 * values per doc (overwriting it).
 */
export function rankChunk(
  targets: Float32Array,
  e0: number,
  e1: number,
  docs: Float32Array,
  n: number,
  dim: number,
  opts: BetrRankOptions,
  ws: ChunkWorkspace,
  bestRank: Int32Array,
  bestExample: Int32Array,
  partial: Float64Array | null,
): void {
  const k = effectiveK(opts, n);
  const outside = rankValue(k + 1, opts.value);
  if (partial) partial.fill(0);
  let rankOf: Int32Array | null = null;
  if (partial && k < n) rankOf = new Int32Array(n);
  for (let g0 = e0; g0 < e1; g0 += GROUP) {
    const g = Math.min(GROUP, e1 - g0);
    cosineRows(targets, g0, g, docs, n, dim, ws.rows);
    for (let j = 0; j < g; j++) {
      const ex = g0 + j;
      if (partial && rankOf) rankOf.fill(k + 1);
      rankRow(ws.rows, j * n, n, k, ws.ranks, (doc, rank) => {
        const br = bestRank[doc]!;
        if (rank < br || (rank === br && ex < bestExample[doc]!)) {
          bestRank[doc] = rank;
          bestExample[doc] = ex;
        }
        if (partial) {
          if (rankOf) rankOf[doc] = rank;
          else partial[doc]! += rankValue(rank, opts.value);
        }
      });
      if (partial && rankOf) {
        for (let d = 0; d < n; d++) {
          const r = rankOf[d]!;
          partial[d]! += r > k ? outside : rankValue(r, opts.value);
        }
      }
    }
  }
}

/** Fresh best-rank state: every doc starts outside all top-K lists. */
export function initBest(n: number, k: number, bestRank: Int32Array, bestExample: Int32Array): void {
  bestRank.fill(k + 1);
  bestExample.fill(-1);
}

/** Turns merged state into scores. For docs outside every top-K, bestExample is -1. */
export function finishScores(
  opts: BetrRankOptions,
  m: number,
  n: number,
  bestRank: Int32Array,
  bestExample: Int32Array,
  meanSum: Float64Array | null,
): BetrScores {
  const score = new Float64Array(n);
  if (opts.aggregate === "max") for (let d = 0; d < n; d++) score[d] = rankValue(bestRank[d]!, opts.value);
  else for (let d = 0; d < n; d++) score[d] = meanSum![d]! / m;
  return { score, bestExample: bestExample.slice() };
}

function checkInputs(targets: Float32Array, m: number, docs: Float32Array, n: number, dim: number): void {
  if (!(m >= 1 && n >= 1 && dim >= 1)) throw new Error(`BETR needs at least one example, doc and dimension (m=${m}, n=${n}, dim=${dim})`);
  if (targets.length !== m * dim) throw new Error(`targets hold ${targets.length} floats, expected ${m}×${dim}`);
  if (docs.length !== n * dim) throw new Error(`docs hold ${docs.length} floats, expected ${n}×${dim}`);
}

/** Single-threaded BETR scores; `betrScoresParallel` gives identical results on several threads. */
export function betrScores(targets: Float32Array, m: number, docs: Float32Array, n: number, dim: number, opts: BetrRankOptions): BetrScores {
  checkInputs(targets, m, docs, n, dim);
  const k = effectiveK(opts, n);
  const bestRank = new Int32Array(n);
  const bestExample = new Int32Array(n);
  initBest(n, k, bestRank, bestExample);
  const ws = new ChunkWorkspace(n, k);
  const mean = opts.aggregate === "mean";
  const total = mean ? new Float64Array(n) : null;
  const partial = mean ? new Float64Array(n) : null;
  const chunks = exampleChunks(m, n);
  for (let c = 0; c + 1 < chunks.length; c++) {
    rankChunk(targets, chunks[c]!, chunks[c + 1]!, docs, n, dim, opts, ws, bestRank, bestExample, partial);
    if (total && partial) for (let d = 0; d < n; d++) total[d]! += partial[d]!;
  }
  return finishScores(opts, m, n, bestRank, bestExample, total);
}

export { checkInputs as checkBetrInputs };
