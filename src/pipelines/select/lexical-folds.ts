/**
 * The cross-fitted regressions of lexical.ts on several threads: each fold's model is an
 * independent L-BFGS fit, so threads claim folds from a shared counter and write their weights
 * into one shared array. The sparse matrix is put in shared memory once and read in place by
 * every thread. Each fit is the same computation on any thread, so the models are identical to
 * a serial run's for any thread count.
 */
import type { Worker } from "node:worker_threads";
import type { Csr } from "../../models/lexical/csr.js";
import { selectRows } from "../../models/lexical/csr.js";
import { trainLogReg } from "../../models/lexical/logreg.js";
import { siblingModule, startThread } from "../../util/worker.js";

export interface FoldJob {
  /** Training rows of each fold, and their labels. */
  rows: Int32Array[];
  labels: Uint8Array[];
}

export interface FoldThreadData {
  ptr: SharedArrayBuffer;
  idx: SharedArrayBuffer;
  val: SharedArrayBuffer;
  nRows: number;
  rows: Int32Array[];
  labels: Uint8Array[];
  buckets: number;
  C: number;
  next: SharedArrayBuffer;
  weights: SharedArrayBuffer;
  biases: SharedArrayBuffer;
  done: SharedArrayBuffer;
}

function toShared<T extends Int32Array | Float32Array>(a: T): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(a.byteLength);
  new Uint8Array(sab).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return sab;
}

/** Fits fold f of `d` into its slot of the shared weights (used by the threads and by the serial path). */
export function fitFold(x: Csr, rows: Int32Array, y: Uint8Array, buckets: number, C: number, weights: Float32Array, biases: Float64Array, f: number): void {
  const m = trainLogReg(selectRows(x, rows), y, buckets, { C });
  weights.set(m.w, f * buckets);
  biases[f] = m.bias;
}

export async function fitFolds(x: Csr, job: FoldJob, buckets: number, C: number, threads: number, onFold?: () => void): Promise<{ weights: Float32Array; biases: number[] }> {
  const folds = job.rows.length;
  const weightsSab = new SharedArrayBuffer(folds * buckets * 4);
  const biasesSab = new SharedArrayBuffer(folds * 8);
  const weights = new Float32Array(weightsSab);
  const biases = new Float64Array(biasesSab);
  const n = Math.max(1, Math.min(threads, folds));
  if (n === 1) {
    for (let f = 0; f < folds; f++) {
      fitFold(x, job.rows[f]!, job.labels[f]!, buckets, C, weights, biases, f);
      onFold?.();
    }
    return { weights, biases: Array.from(biases) };
  }
  const data: FoldThreadData = {
    ptr: toShared(x.ptr),
    idx: toShared(x.idx),
    val: toShared(x.val),
    nRows: x.rows,
    rows: job.rows,
    labels: job.labels,
    buckets,
    C,
    next: new SharedArrayBuffer(4),
    weights: weightsSab,
    biases: biasesSab,
    done: new SharedArrayBuffer(4),
  };
  const url = siblingModule(import.meta.url, "lexical-fold-thread");
  const started: Worker[] = [];
  try {
    await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise<void>((resolve, reject) => {
            const w = startThread(url, { workerData: data });
            started.push(w);
            w.on("message", () => onFold?.());
            w.on("error", reject);
            w.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`fold training thread exited with code ${code}`))));
          }),
      ),
    );
  } finally {
    for (const w of started) void w.terminate();
  }
  return { weights, biases: Array.from(biases) };
}
