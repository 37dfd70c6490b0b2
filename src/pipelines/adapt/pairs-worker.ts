/**
 * Worker thread for the all-pairs passes of adapt similarity (pairs-pool.ts): the vectors arrive
 * once in shared memory; each request computes one share of a pass with the same functions the
 * single-threaded path uses, so the combined result does not depend on the thread count.
 */
import { parentPort, workerData } from "node:worker_threads";
import { mmdPartial } from "../../models/distance/mmd.js";
import { pairHistogram, pairsInBins, type MedianBins } from "../../models/distance/bandwidth.js";
import type { VectorSet } from "../../models/distance/vectors.js";

interface Shared {
  x: SharedArrayBuffer;
  y: SharedArrayBuffer;
  pooled: SharedArrayBuffer;
  dim: number;
}

export type PairRequest =
  | { op: "mmd"; sigma: number; part: number; parts: number }
  | { op: "hist"; scale: number; part: number; parts: number }
  | { op: "collect"; scale: number; plan: MedianBins; part: number; parts: number };

const w = workerData as Shared;
const set = (b: SharedArrayBuffer): VectorSet => {
  const data = new Float64Array(b);
  return { data, n: data.length / w.dim, dim: w.dim };
};
const x = set(w.x);
const y = set(w.y);
const pooled = set(w.pooled);

// progress in batches of about a million pairs, not one message per row
let pending = 0;
const onPairs = (n: number) => {
  pending += n;
  if (pending >= 1 << 20) {
    parentPort!.postMessage({ progress: pending });
    pending = 0;
  }
};
const flush = () => {
  if (pending) parentPort!.postMessage({ progress: pending });
  pending = 0;
};

parentPort!.on("message", (r: PairRequest) => {
  try {
    if (r.op === "mmd") {
      const p = mmdPartial(x, y, r.sigma, r.part, r.parts, onPairs);
      flush();
      parentPort!.postMessage({ result: p }, [p.sxx.buffer as ArrayBuffer, p.syy.buffer as ArrayBuffer, p.sxy.buffer as ArrayBuffer, p.nnX.buffer as ArrayBuffer, p.nnY.buffer as ArrayBuffer]);
    } else if (r.op === "hist") {
      const c = pairHistogram(pooled, r.scale, r.part, r.parts, onPairs);
      flush();
      parentPort!.postMessage({ result: c }, [c.buffer as ArrayBuffer]);
    } else {
      const v = pairsInBins(pooled, r.scale, r.plan, r.part, r.parts, onPairs).slice();
      flush();
      parentPort!.postMessage({ result: v }, [v.buffer as ArrayBuffer]);
    }
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message });
  }
});
