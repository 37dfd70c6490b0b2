/**
 * Starts a training worker from a sibling module. From compiled .js it is a plain Worker; from
 * .ts sources (tests, tsx) the worker first registers tsx's loader itself, because Node 20
 * does not apply `--import tsx` given in a Worker's execArgv.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

export function startModuleWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  if (!moduleUrl.pathname.endsWith(".ts")) return new Worker(moduleUrl, options);
  // the ESM build of the API (require.resolve finds the CommonJS one)
  const api = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(moduleUrl.href)}); });`;
  return new Worker(code, { ...options, eval: true });
}
