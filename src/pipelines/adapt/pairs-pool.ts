/**
 * The all-pairs passes of adapt similarity (MMD² with nearest neighbours, the exact median
 * bandwidth) on worker threads: each thread takes every `parts`-th row tile. Results are combined
 * in a fixed order, so they equal the single-threaded ones whatever the thread count. Small
 * passes run on the calling thread (starting threads costs more than they save).
 */
import type { Worker } from "node:worker_threads";
import { gaussianMmd2, checkMmdInputs, mmdFromPartials, type MmdPartial, type MmdResult } from "../../models/distance/mmd.js";
import { histogramScale, MAX_STORED_PAIRS, medianFromBins, medianPairwiseDistance, middleBins, type MedianBins } from "../../models/distance/bandwidth.js";
import type { VectorSet } from "../../models/distance/vectors.js";
import { siblingModule, startThread } from "../../util/worker.js";
import type { PairRequest } from "./pairs-worker.js";
import { UserError } from "../../util/errors.js";

/** Below this many pairs a pass runs on the calling thread. */
export const PARALLEL_MIN_PAIRS = 4_000_000;

function shared(s: VectorSet): SharedArrayBuffer {
  const b = new SharedArrayBuffer(s.n * s.dim * 8);
  new Float64Array(b).set(s.data);
  return b;
}

export class PairPool {
  private constructor(
    private readonly workers: Worker[],
    private readonly onPairs?: (n: number) => void,
  ) {}

  static start(x: VectorSet, y: VectorSet, pooled: VectorSet, threads: number, onPairs?: (n: number) => void): PairPool {
    const data = { x: shared(x), y: shared(y), pooled: shared(pooled), dim: x.dim };
    const workers = Array.from({ length: threads }, () => startThread(siblingModule(import.meta.url, "pairs-worker"), { workerData: data }));
    return new PairPool(workers, onPairs);
  }

  private run<T>(make: (part: number, parts: number) => PairRequest): Promise<T[]> {
    const parts = this.workers.length;
    return Promise.all(
      this.workers.map(
        (w, part) =>
          new Promise<T>((resolve, reject) => {
            const onMessage = (m: { progress?: number; result?: T; error?: string }) => {
              if (m.progress !== undefined) return this.onPairs?.(m.progress);
              w.off("message", onMessage);
              w.off("error", reject);
              if (m.error !== undefined) reject(new Error(m.error));
              else resolve(m.result as T);
            };
            w.on("message", onMessage);
            w.once("error", reject);
            w.postMessage(make(part, parts));
          }),
      ),
    );
  }

  async mmd(sigma: number, nx: number, ny: number): Promise<MmdResult> {
    return mmdFromPartials(await this.run<MmdPartial>((part, parts) => ({ op: "mmd", sigma, part, parts })), nx, ny);
  }

  async median(pooled: VectorSet): Promise<number> {
    const scale = histogramScale(pooled);
    const plan: MedianBins = middleBins(await this.run<Uint32Array>((part, parts) => ({ op: "hist", scale, part, parts })), pooled.n);
    return medianFromBins(await this.run<Float64Array>((part, parts) => ({ op: "collect", scale, plan, part, parts })), plan);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function zeroCheck(sigma: number): void {
  if (!(sigma > 0)) throw new UserError("every sampled vector is identical: the median pairwise distance is 0; give --bandwidth");
}

/** The median bandwidth and the MMD pass, threaded when large enough. `sigma` given: no median. */
export async function pairPasses(
  x: VectorSet,
  y: VectorSet,
  pooled: VectorSet,
  sigma: number | undefined,
  threads: number,
  progress: { median?: (n: number) => void; mmd?: (n: number) => void } = {},
): Promise<{ sigma: number; mmd: MmdResult }> {
  const pairs = (pooled.n * (pooled.n - 1)) / 2;
  if (threads <= 1 || pairs < PARALLEL_MIN_PAIRS) {
    const s = sigma ?? medianPairwiseDistance(pooled, { onPairs: progress.median });
    zeroCheck(s);
    return { sigma: s, mmd: gaussianMmd2(x, y, s, { onPairs: progress.mmd }) };
  }
  let current = progress.median;
  const pool = PairPool.start(x, y, pooled, threads, (n) => current?.(n));
  try {
    // the median of few enough pairs is cheaper stored and sorted on this thread
    const s = sigma ?? (pairs <= MAX_STORED_PAIRS ? medianPairwiseDistance(pooled) : await pool.median(pooled));
    zeroCheck(s);
    checkMmdInputs(x, y, s);
    current = progress.mmd;
    return { sigma: s, mmd: await pool.mmd(s, x.n, y.n) };
  } finally {
    await pool.close();
  }
}
