/** Worker thread for parallel fits: runs one task from workerData and posts the result. */
import { parentPort, workerData } from "node:worker_threads";
import { runBootstrap, runStarts, type TaskData } from "./tasks.js";

export type WorkerJob =
  | { kind: "starts"; task: TaskData; starts: Float64Array[] }
  | { kind: "bootstrap"; task: TaskData; starts: Float64Array[]; seed: number; from: number; to: number };

const job = workerData as WorkerJob;
let pending = 0;
// Report progress in batches; a message per run would cost more than the run.
const tick = (k: number) => {
  pending += k;
  if (pending >= 50) {
    parentPort!.postMessage({ progress: pending });
    pending = 0;
  }
};
const result = job.kind === "starts" ? runStarts(job.task, job.starts, tick) : runBootstrap(job.task, job.starts, job.seed, job.from, job.to, tick);
if (pending) parentPort!.postMessage({ progress: pending });
parentPort!.postMessage({ result });
