/**
 * Starts a pool thread. From the compiled package the worker is plain .js and starts directly.
 * From TypeScript sources (tests, `npm run datatailor`) it is loaded through tsx's `tsImport`
 * inside the thread: on Node 20 a worker's `--import tsx` is ignored when the parent process
 * already has module hooks (vitest registers some), while a scoped tsImport works either way.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";
import { siblingModule } from "../util/worker.js";

export function startThread(importMetaUrl: string, baseName: string, options: WorkerOptions = {}): Worker {
  const url = siblingModule(importMetaUrl, baseName);
  if (!url.pathname.endsWith(".ts")) return new Worker(url, options);
  const api = import.meta.resolve("tsx/esm/api");
  const code =
    `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(importMetaUrl)}))` +
    `.catch((e) => { process.nextTick(() => { throw e; }); });`;
  return new Worker(code, { ...options, eval: true });
}
