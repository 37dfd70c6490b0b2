/**
 * Thread body for `lm train`: formats the highest order's ARPA section from the trained model's
 * shared arrays while the main thread writes the lower orders, and hands the bytes back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { sectionChunks } from "../../models/ngram/arpa-write.js";

interface Job {
  data: Int32Array;
  ord: Uint8Array;
  spans: number[];
  prob: Float32Array;
  backoff: Float32Array;
  wordStart: Uint32Array;
  words: Uint8Array;
  n: number;
  N: number;
  kept?: Uint8Array;
}

const j = workerData as Job;
const out: Uint8Array[] = [];
for (const c of sectionChunks(j.data, j.ord, j.spans, j.prob, j.backoff, j.wordStart, j.words, j.n, j.N, j.kept)) out.push(c);
parentPort!.postMessage(out, out.map((c) => c.buffer as ArrayBuffer));
