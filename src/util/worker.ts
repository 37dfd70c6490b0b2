/**
 * The one way datatailor starts a worker thread. From the compiled package the worker module
 * is plain .js and starts directly. From TypeScript sources (tests, `npm run datatailor`) it is
 * loaded through tsx's scoped `tsImport` inside the thread: on Node 20 a worker's
 * `--import tsx` is ignored when the parent process already has module hooks (vitest and tsx
 * register some), while a scoped tsImport works either way, and modules the worker imports
 * later (dynamic imports included) are loaded through the same scope.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

export function startThread(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  if (!moduleUrl.pathname.endsWith(".ts")) return new Worker(moduleUrl, options);
  const api = import.meta.resolve("tsx/esm/api");
  const code =
    `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(moduleUrl.href)}, ${JSON.stringify(moduleUrl.href)}))` +
    `.catch((e) => { process.nextTick(() => { throw e; }); });`;
  return new Worker(code, { ...options, eval: true });
}

/** Resolves a sibling module of `importMetaUrl` with the same extension (.ts in source, .js compiled). */
export function siblingModule(importMetaUrl: string, baseName: string): URL {
  const ext = importMetaUrl.endsWith(".ts") ? ".ts" : ".js";
  return new URL(`./${baseName}${ext}`, importMetaUrl);
}
