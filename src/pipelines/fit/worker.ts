/** Worker thread for parallel fits: runs one task from workerData and posts the result. */
import { parentPort, workerData } from "node:worker_threads";
import { runBootstrap, runStarts, type TaskData } from "./tasks.js";

export type WorkerJob =
  | { kind: "starts"; task: TaskData; starts: Float64Array[] }
  | { kind: "bootstrap"; task: TaskData; starts: Float64Array[]; seed: number; from: number; to: number };

const job = workerData as WorkerJob;
if (job.kind === "starts") {
  parentPort!.postMessage(runStarts(job.task, job.starts));
} else {
  let pending = 0;
  const result = runBootstrap(job.task, job.starts, job.seed, job.from, job.to, (k) => {
    // Report progress in batches; a message per refit would cost more than the refit.
    pending += k;
    if (pending >= 25) {
      parentPort!.postMessage({ progress: pending });
      pending = 0;
    }
  });
  if (pending) parentPort!.postMessage({ progress: pending });
  parentPort!.postMessage({ result });
}
