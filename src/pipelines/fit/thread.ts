/**
 * Starts the fit worker. Compiled, it is a plain .js module. From TypeScript sources the module
 * is loaded with tsx's scoped `tsImport` inside the thread, because on Node 20 a worker's
 * `--import tsx` (what src/util/worker.ts passes) is ignored when the parent already has module
 * hooks, e.g. when started through `tsx` or vitest.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";
import { siblingModule } from "../../util/worker.js";

export function startFitThread(options: WorkerOptions): Worker {
  const url = siblingModule(import.meta.url, "worker");
  if (!url.pathname.endsWith(".ts")) return new Worker(url, options);
  const loader = import.meta.resolve("tsx/esm/api");
  const boot = `import(${JSON.stringify(loader)}).then((m) => m.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(import.meta.url)})).catch((e) => process.nextTick(() => { throw e; }));`;
  return new Worker(boot, { ...options, eval: true });
}
