/**
 * Starts a worker thread from a module URL. When datatailor runs from TypeScript sources
 * (tests, `npm run datatailor`), the worker file is `.ts` and is loaded through tsx;
 * from the compiled package it is plain `.js`.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

export function startWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  const isTs = moduleUrl.pathname.endsWith(".ts");
  const execArgv = isTs ? [...(options.execArgv ?? []), "--import", "tsx"] : options.execArgv;
  return new Worker(moduleUrl, { ...options, execArgv });
}

/** Resolves a sibling module of `importMetaUrl` with the same extension (.ts in source, .js compiled). */
export function siblingModule(importMetaUrl: string, baseName: string): URL {
  const ext = importMetaUrl.endsWith(".ts") ? ".ts" : ".js";
  return new URL(`./${baseName}${ext}`, importMetaUrl);
}
