/**
 * Splits multi-start searches and bootstrap refits across worker threads when the work is big
 * enough to pay for starting them (a worker costs ~0.1 s compiled, more from sources), and runs
 * inline otherwise. Results are identical either way.
 */
import { siblingModule, startThread } from "../../util/worker.js";
import { runBootstrap, runStarts, type BootstrapResult, type StartsResult, type TaskData } from "./tasks.js";
import type { WorkerJob } from "./worker.js";

/** Point-evaluations (starts × points) below which threads are not worth starting. */
const MIN_PARALLEL_WORK = 200_000;

function runWorker<T>(job: WorkerJob, onProgress?: (k: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const w = startThread(siblingModule(import.meta.url, "worker"), { workerData: job });
    let settled = false;
    w.on("message", (msg: { progress?: number; result?: T }) => {
      if (msg.progress) onProgress?.(msg.progress);
      if (msg.result) {
        settled = true;
        resolve(msg.result);
      }
    });
    w.on("error", (e) => {
      settled = true;
      reject(e);
    });
    w.on("exit", (code) => {
      if (!settled) reject(new Error(`fit worker exited with code ${code} before answering`));
    });
  });
}

function chunks(n: number, k: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < k; i++) {
    const a = Math.floor((i * n) / k);
    const b = Math.floor(((i + 1) * n) / k);
    if (b > a) out.push([a, b]);
  }
  return out;
}

export async function parallelStarts(task: TaskData, starts: Float64Array[], threads: number, onProgress?: (k: number) => void): Promise<StartsResult> {
  const t = starts.length * task.y.length < MIN_PARALLEL_WORK ? 1 : Math.min(threads, starts.length);
  if (t <= 1) return runStarts(task, starts, onProgress);
  // Interleave starts so each thread gets a similar mix of easy and hard ones.
  const parts = Array.from({ length: t }, (_, i) => starts.filter((_, s) => s % t === i));
  const results = await Promise.all(parts.map((p) => runWorker<StartsResult>({ kind: "starts", task, starts: p }, onProgress)));
  const dim = results[0].theta.length / parts[0].length;
  const out: StartsResult = { objective: new Float64Array(starts.length), converged: new Uint8Array(starts.length), theta: new Float64Array(starts.length * dim) };
  results.forEach((r, i) => {
    for (let k = 0; k < r.objective.length; k++) {
      const s = k * t + i;
      out.objective[s] = r.objective[k];
      out.converged[s] = r.converged[k];
      out.theta.set(r.theta.subarray(k * dim, (k + 1) * dim), s * dim);
    }
  });
  return out;
}

export async function parallelBootstrap(
  task: TaskData,
  starts: Float64Array[],
  seed: number,
  count: number,
  threads: number,
  onProgress?: (k: number) => void,
): Promise<BootstrapResult> {
  const t = count * starts.length * task.y.length * 20 < MIN_PARALLEL_WORK ? 1 : Math.min(threads, count);
  if (t <= 1) return runBootstrap(task, starts, seed, 0, count, onProgress);
  const parts = await Promise.all(
    chunks(count, t).map(([from, to]) => runWorker<BootstrapResult>({ kind: "bootstrap", task, starts, seed, from, to }, onProgress)),
  );
  const dim = parts[0].theta.length / parts[0].objective.length;
  const out: BootstrapResult = { from: 0, theta: new Float64Array(count * dim), objective: new Float64Array(count), converged: new Uint8Array(count) };
  for (const p of parts) {
    out.theta.set(p.theta, p.from * dim);
    out.objective.set(p.objective, p.from);
    out.converged.set(p.converged, p.from);
  }
  return out;
}
