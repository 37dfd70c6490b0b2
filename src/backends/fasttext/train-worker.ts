/** Worker entry: one Hogwild training thread over the shared matrices, started by its job message. */
import { parentPort } from "node:worker_threads";
import { TrainThread, type TrainCorpus, type TrainParams, type TrainShared } from "../../models/fasttext/index.js";

interface Job {
  params: TrainParams;
  corpus: TrainCorpus;
  state: TrainShared;
  threadId: number;
  threads: number;
}

parentPort!.once("message", ({ params, corpus, state, threadId, threads }: Job) => {
  new TrainThread(params, corpus, state, threadId).run(threads);
  parentPort!.postMessage("done");
});
