/**
 * Training orchestration: build the corpus, initialise the matrices as fastText does, then
 * run the training threads — inline for one thread (deterministic with a seed); for more, this
 * thread plus worker threads, sharing the matrices through SharedArrayBuffer (Hogwild).
 */
import os from "node:os";
import type { Worker } from "node:worker_threads";
import { DenseMatrix, DenseModelImage, FastTextModel, TrainThread, type FastTextArgs, type TrainCorpus, type TrainParams, type TrainShared } from "../../models/fasttext/index.js";
import { siblingModule, startThread } from "../../util/worker.js";
import { buildCorpus, type LabeledText } from "./corpus.js";

export interface TrainProgress {
  progress: number;
  wordsPerSecPerThread: number;
  loss: number;
}
export interface TrainOptions {
  /** Once the corpus is read, before training (fastText prints these counts then). */
  onDictionary?: (d: { ntokens: number; nwords: number; nlabels: number }) => void;
  onProgress?: (p: TrainProgress) => void;
}

function shared<T extends Int32Array | Float32Array | Float64Array | BigInt64Array>(C: { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, n: number): T {
  return new C(new SharedArrayBuffer(Math.max(1, n) * C.BYTES_PER_ELEMENT));
}
function toShared(a: Int32Array): Int32Array {
  const s = shared(Int32Array, a.length).subarray(0, a.length);
  s.set(a);
  return s;
}

/** Worker threads actually started: fastText's default of 12 is capped to the machine. */
export function workerCount(thread: number): number {
  return Math.max(1, Math.min(thread, os.availableParallelism()));
}

/** A training worker started ahead of its job; `done` settles when it has finished one. */
interface PendingWorker {
  worker: Worker;
  done: Promise<void>;
}

function spawnTrainWorker(t: number): PendingWorker {
  const worker = startThread(siblingModule(import.meta.url, "train-worker"));
  const done = new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", reject);
    worker.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`training thread ${t} exited with code ${code}`))));
  });
  done.catch(() => undefined); // awaited later; a failure before then must not be unhandled
  return { worker, done };
}

export async function trainModel(args: FastTextArgs, input: string | Iterable<LabeledText> | AsyncIterable<LabeledText>, opts: TrainOptions = {}): Promise<FastTextModel> {
  const threads = workerCount(args.thread);
  // This thread trains as thread 0; threads 1.. are workers. They load their modules while this
  // thread reads the corpus (that start-up is much of the time on small data sets) and then
  // wait for their job message.
  const workers = Array.from({ length: threads - 1 }, (_, k) => spawnTrainWorker(k + 1));
  try {
    return await trainWith(args, input, opts, threads, workers);
  } finally {
    for (const w of workers) void w.worker.terminate();
  }
}

async function trainWith(args: FastTextArgs, input: string | Iterable<LabeledText> | AsyncIterable<LabeledText>, opts: TrainOptions, threads: number, workers: PendingWorker[]): Promise<FastTextModel> {
  const { dict, corpus } = await buildCorpus(args, input);
  opts.onDictionary?.({ ntokens: dict.ntokens, nwords: dict.nwords, nlabels: dict.nlabels });
  const dim = args.dim;
  const rows = dict.nwords + args.bucket;
  const useShared = threads > 1;
  // the input matrix is trained in place inside the model file's image (shared memory for any
  // thread count: as fast as ordinary memory, and the image is what scoring threads share later)
  const image = new DenseModelImage(args, dict, rows, dim, dict.nlabels);
  const inputData = image.input;
  const outputData = useShared ? shared(Float64Array, dict.nlabels * dim).subarray(0, dict.nlabels * dim) : new Float64Array(dict.nlabels * dim);
  const inputM = new DenseMatrix(rows, dim, inputData);
  // fastText initialises with its -thread value (blocks of a tenth each), not with the capped count
  inputM.uniform(1 / dim, args.thread, args.seed);
  const params: TrainParams = {
    dim,
    nwords: dict.nwords,
    nlabels: dict.nlabels,
    bucket: args.bucket,
    wordNgrams: args.wordNgrams,
    maxn: args.maxn,
    loss: args.loss,
    neg: args.neg,
    lr: args.lr,
    epoch: args.epoch,
    lrUpdateRate: args.lrUpdateRate,
    seed: args.seed,
    labelCounts: dict.labelCounts(),
  };
  const state: TrainShared = { input: inputData, output: outputData, tokenCount: shared(BigInt64Array, 1), loss: shared(Float64Array, 1) };
  const start = performance.now();
  let lastReport = 0;
  const report = (progress: number) => {
    if (!opts.onProgress) return;
    const now = performance.now();
    if (progress < 1 && now - lastReport < 200) return;
    lastReport = now;
    const secs = Math.max(1e-9, (now - start) / 1000);
    const words = Number(Atomics.load(state.tokenCount, 0));
    opts.onProgress({ progress: Math.min(1, progress), wordsPerSecPerThread: words / secs / threads, loss: state.loss[0] });
  };
  if (threads === 1) {
    new TrainThread(params, corpus, state, 0).run(1, report);
  } else {
    const sc: TrainCorpus = {
      tokens: toShared(corpus.tokens),
      lineStarts: toShared(corpus.lineStarts),
      wordHash: toShared(corpus.wordHash),
      subStart: toShared(corpus.subStart),
      subIds: toShared(corpus.subIds),
      oovHash: toShared(corpus.oovHash),
      oovSubStart: toShared(corpus.oovSubStart),
      oovSubIds: toShared(corpus.oovSubIds),
      ntokens: corpus.ntokens,
    };
    // typed arrays over SharedArrayBuffers are shared with the workers, not copied
    workers.forEach((w, k) => w.worker.postMessage({ params, corpus: sc, state, threadId: k + 1, threads }));
    new TrainThread(params, corpus, state, 0).run(threads, report);
    await Promise.all(workers.map((w) => w.done));
  }
  report(1);
  const model = new FastTextModel({ ...args }, dict, new DenseMatrix(rows, dim, inputData), new DenseMatrix(dict.nlabels, dim, image.finish(outputData)));
  model.image = image;
  return model;
}
