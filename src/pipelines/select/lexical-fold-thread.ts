/** Worker thread of lexical-folds.ts: claims folds from the shared counter and fits them. */
import { parentPort, workerData } from "node:worker_threads";
import type { Csr } from "../../models/lexical/csr.js";
import { fitFold, type FoldThreadData } from "./lexical-folds.js";

const d = workerData as FoldThreadData;
const x: Csr = { rows: d.nRows, ptr: new Int32Array(d.ptr), idx: new Int32Array(d.idx), val: new Float32Array(d.val) };
const next = new Int32Array(d.next);
const weights = new Float32Array(d.weights);
const biases = new Float64Array(d.biases);
for (let f = Atomics.add(next, 0, 1); f < d.rows.length; f = Atomics.add(next, 0, 1)) {
  fitFold(x, d.rows[f]!, d.labels[f]!, d.buckets, d.C, weights, biases, f);
  parentPort!.postMessage(f);
}
