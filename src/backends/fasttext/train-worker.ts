/** Worker entry: one Hogwild training thread over the shared matrices. */
import { parentPort, workerData } from "node:worker_threads";
import { TrainThread, type TrainCorpus, type TrainParams, type TrainShared } from "../../models/fasttext/index.js";

const { params, corpus, state, threadId, threads } = workerData as { params: TrainParams; corpus: TrainCorpus; state: TrainShared; threadId: number; threads: number };
new TrainThread(params, corpus, state, threadId).run(threads);
parentPort!.postMessage("done");
