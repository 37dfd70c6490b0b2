/**
 * BETR scores on several threads. Workers claim example chunks from a shared counter; each
 * keeps its own best-rank arrays and writes one mean partial per chunk, and the main thread
 * merges them in a fixed order, so the result is bit-identical to `betrScores` for any worker count.
 */
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { betrScores, effectiveK, exampleChunks, finishScores, initBest, type BetrRankOptions, type BetrScores } from "../models/betr/index.js";
import { checkBetrInputs } from "../models/betr/rank.js";
import { siblingModule, startThread } from "../util/worker.js";
import { sharedBufferOf } from "../util/shared-memory.js";
import type { BetrWorkerData } from "./betr-worker.js";


export interface BetrParallelOptions extends BetrRankOptions {
  /** Threads to use (default: available cores). 1 runs in the calling thread. */
  workers?: number;
}

export async function betrScoresParallel(
  targets: Float32Array,
  m: number,
  docs: Float32Array,
  n: number,
  dim: number,
  opts: BetrParallelOptions,
): Promise<BetrScores> {
  checkBetrInputs(targets, m, docs, n, dim);
  const rankOpts: BetrRankOptions = { aggregate: opts.aggregate, value: opts.value, ...(opts.topK !== undefined ? { topK: opts.topK } : {}) };
  const chunks = exampleChunks(m, n);
  const nChunks = chunks.length - 1;
  const workers = Math.max(1, Math.min(opts.workers ?? availableParallelism(), nChunks));
  if (workers === 1) return betrScores(targets, m, docs, n, dim, rankOpts);

  const k = effectiveK(rankOpts, n);
  const mean = rankOpts.aggregate === "mean";
  const targetsSab = sharedBufferOf(targets);
  const docsSab = sharedBufferOf(docs);
  const next = new SharedArrayBuffer(4);
  const partials = mean ? new SharedArrayBuffer(nChunks * n * 8) : null;
  const states = Array.from({ length: workers }, () => {
    const bestRank = new SharedArrayBuffer(n * 4);
    const bestExample = new SharedArrayBuffer(n * 4);
    initBest(n, k, new Int32Array(bestRank), new Int32Array(bestExample));
    return { bestRank, bestExample };
  });
  const url = siblingModule(import.meta.url, "betr-worker");
  const threads: Worker[] = [];
  try {
    await Promise.all(
      states.map(
        (s) =>
          new Promise<void>((resolve, reject) => {
            const data: BetrWorkerData = { targets: targetsSab, docs: docsSab, m, n, dim, opts: rankOpts, chunks, next, bestRank: s.bestRank, bestExample: s.bestExample, partials };
            const w = startThread(url, { workerData: data });
            threads.push(w);
            w.once("message", () => resolve());
            w.once("error", reject);
            w.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`BETR worker exited with code ${code}`))));
          }),
      ),
    );
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }

  // merge: lower rank wins, then lower example index (the order a single thread would produce)
  const bestRank = new Int32Array(states[0]!.bestRank).slice();
  const bestExample = new Int32Array(states[0]!.bestExample).slice();
  for (let w = 1; w < workers; w++) {
    const r = new Int32Array(states[w]!.bestRank);
    const e = new Int32Array(states[w]!.bestExample);
    for (let d = 0; d < n; d++) {
      const rw = r[d]!;
      const br = bestRank[d]!;
      if (rw < br || (rw === br && e[d]! !== -1 && (bestExample[d]! === -1 || e[d]! < bestExample[d]!))) {
        bestRank[d] = rw;
        bestExample[d] = e[d]!;
      }
    }
  }
  let total: Float64Array | null = null;
  if (partials) {
    total = new Float64Array(n);
    for (let c = 0; c < nChunks; c++) {
      const p = new Float64Array(partials, c * n * 8, n);
      for (let d = 0; d < n; d++) total[d]! += p[d]!;
    }
  }
  return finishScores(rankOpts, m, n, bestRank, bestExample, total);
}
