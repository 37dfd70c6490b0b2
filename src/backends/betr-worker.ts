/** Worker thread for betrScoresParallel: claims example chunks from a shared counter until none are left. */
import { parentPort, workerData } from "node:worker_threads";
import { ChunkWorkspace, effectiveK, rankChunk, type BetrRankOptions } from "../models/betr/index.js";

export interface BetrWorkerData {
  targets: SharedArrayBuffer;
  docs: SharedArrayBuffer;
  m: number;
  n: number;
  dim: number;
  opts: BetrRankOptions;
  chunks: number[];
  next: SharedArrayBuffer;
  bestRank: SharedArrayBuffer;
  bestExample: SharedArrayBuffer;
  partials: SharedArrayBuffer | null;
}

const d = workerData as BetrWorkerData;
const targets = new Float32Array(d.targets);
const docs = new Float32Array(d.docs);
const next = new Int32Array(d.next);
const bestRank = new Int32Array(d.bestRank);
const bestExample = new Int32Array(d.bestExample);
const ws = new ChunkWorkspace(d.n, effectiveK(d.opts, d.n));
const nChunks = d.chunks.length - 1;
let done = 0;
for (;;) {
  const c = Atomics.add(next, 0, 1);
  if (c >= nChunks) break;
  const partial = d.partials ? new Float64Array(d.partials, c * d.n * 8, d.n) : null;
  rankChunk(targets, d.chunks[c]!, d.chunks[c + 1]!, docs, d.n, d.dim, d.opts, ws, bestRank, bestExample, partial);
  done++;
}
parentPort!.postMessage({ chunks: done });
