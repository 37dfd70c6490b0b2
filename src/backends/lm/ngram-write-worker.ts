/**
 * Thread body for `lm train`: formats the highest order's ARPA section (and the end of the one
 * before) from the trained model's shared arrays while the main thread writes the lower
 * orders, and hands the bytes back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { sectionChunks } from "../../models/ngram/arpa-write.js";

interface Job {
  data: Int32Array;
  ord: Uint8Array;
  prob: Float32Array;
  backoff: Float32Array;
  wordStart: Uint32Array;
  words: Uint8Array;
  /** in output order: an order's n-grams in these spans, with the section header or not */
  sections: { n: number; spans: number[]; header: boolean }[];
  N: number;
  kept?: Uint8Array;
}

const j = workerData as Job;
const out: Uint8Array[] = [];
for (const s of j.sections) for (const c of sectionChunks(j.data, j.ord, s.spans, j.prob, j.backoff, j.wordStart, j.words, s.n, j.N, j.kept, s.header)) out.push(c);
parentPort!.postMessage(out, out.map((c) => c.buffer as ArrayBuffer));
