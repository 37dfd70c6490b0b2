/**
 * The registry of task kinds. A worker thread or a remote `datatailor worker` receives only a
 * JSON payload, so every process must be able to turn `kind` into code. exec/ knows no kind
 * itself: each pipeline registers its shard jobs with `registerTaskKind` from a registration
 * module of its own (e.g. src/pipelines/select/tasks.ts, imported by the pipeline, the library
 * entry and the `worker`/`merge` commands), and pool threads import the same registration
 * modules, so every process that runs shards knows every kind its parent knows.
 *
 * Extra kinds (tests, plugins) are absolute module paths registered explicitly, either
 * in-process with `registerHandlerModule` (forwarded to this executor's worker threads) or for
 * separate processes through DATATAILOR_HANDLERS="kind=/abs/module.ts#export;...". Nothing
 * outside those opt-ins is ever imported because of a payload.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Storage } from "../io/storage.js";
import type { ShardResult, TaskHandler } from "./types.js";

/** What a run-level step gets once every shard of a job is done (by a full run or by `merge`). */
export interface FinalizeContext {
  /** The job's output directory (absolute). */
  outDir: string;
  output: Storage;
  /** Every shard's result, sorted by index. */
  results: ShardResult[];
  log: (m: string) => void;
}

/**
 * Run-level step of a kind: rebuilds every run-level file (stats.json with all steps, the
 * pipeline's summaries and report) from the per-shard results. `datatailor merge` calls it
 * after checking that every shard is done, so an array job ends with the files a local run
 * writes.
 */
export type ShardFinalizer = (ctx: FinalizeContext) => Promise<void>;

export interface TaskKind<P = unknown> {
  kind: string;
  /**
   * URL of the module that registers this kind (pass `import.meta.url`): pool threads import it
   * so that the kind is known there too. It must register on import and do nothing else.
   */
  registeredBy: string;
  /** Loads the handler; lazy so that registering a kind costs nothing at start-up. */
  handler: () => Promise<TaskHandler<P>>;
  /** Loads the kind's run-level step, if it has one. */
  finalize?: () => Promise<ShardFinalizer>;
}

const KIND_NAME = /^[a-z0-9][a-z0-9._-]*$/i;
const kinds = new Map<string, TaskKind<never>>();

/** Registers a pipeline's shard job. Registering the same kind again from the same module is a no-op. */
export function registerTaskKind<P>(def: TaskKind<P>): void {
  if (!KIND_NAME.test(def.kind)) throw new Error(`task kind '${def.kind}' must be letters, digits, '.', '_' or '-'`);
  const old = kinds.get(def.kind);
  if (old && old.registeredBy !== def.registeredBy) throw new Error(`task kind '${def.kind}' is registered twice (${old.registeredBy} and ${def.registeredBy})`);
  kinds.set(def.kind, def as unknown as TaskKind<never>);
}

/** Registration modules of every registered kind, for pool threads to import. */
export function registrationModules(): string[] {
  return [...new Set([...kinds.values()].map((k) => k.registeredBy))].sort();
}

export interface HandlerModuleSpec {
  kind: string;
  /** Absolute path of a .ts/.js module. */
  module: string;
  /** Export name of the TaskHandler (default "handler"). */
  exportName: string;
}

const extra = new Map<string, HandlerModuleSpec>();
const cache = new Map<string, Promise<TaskHandler<never>>>();

function checkSpec(spec: HandlerModuleSpec): HandlerModuleSpec {
  if (!KIND_NAME.test(spec.kind)) throw new Error(`handler kind '${spec.kind}' must be letters, digits, '.', '_' or '-'`);
  if (kinds.has(spec.kind)) throw new Error(`handler kind '${spec.kind}' is registered by a pipeline and cannot be replaced`);
  if (!path.isAbsolute(spec.module)) throw new Error(`handler module for '${spec.kind}' must be an absolute path, got '${spec.module}'`);
  if (!existsSync(spec.module)) throw new Error(`handler module for '${spec.kind}' not found: ${spec.module}`);
  return spec;
}

export function registerHandlerModule(spec: { kind: string; module: string; exportName?: string }): void {
  const s = checkSpec({ kind: spec.kind, module: spec.module, exportName: spec.exportName ?? "handler" });
  extra.set(s.kind, s);
  cache.delete(s.kind);
}

/** Parses DATATAILOR_HANDLERS: `kind=/abs/module.ts#export` entries separated by ';'. */
export function parseHandlerEnv(value: string | undefined): HandlerModuleSpec[] {
  if (!value) return [];
  return value
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^([^=]+)=([^#]+)(?:#(.+))?$/.exec(entry);
      if (!m) throw new Error(`DATATAILOR_HANDLERS: cannot parse '${entry}' (expected kind=/abs/module.ts#export)`);
      return checkSpec({ kind: m[1].trim(), module: m[2].trim(), exportName: (m[3] ?? "handler").trim() });
    });
}

let envLoaded = false;
function loadEnv(): void {
  if (envLoaded) return;
  envLoaded = true;
  for (const s of parseHandlerEnv(process.env.DATATAILOR_HANDLERS)) if (!extra.has(s.kind)) extra.set(s.kind, s);
}

/** Extra registrations, to forward to worker threads. */
export function extraHandlerModules(): HandlerModuleSpec[] {
  loadEnv();
  return [...extra.values()];
}

export function knownKinds(): string[] {
  loadEnv();
  return [...kinds.keys(), ...extra.keys()].sort();
}

function loadExtra(spec: HandlerModuleSpec): Promise<TaskHandler<never>> {
  return import(pathToFileURL(spec.module).href).then((mod: Record<string, unknown>) => {
    const h = mod[spec.exportName];
    if (typeof h !== "function") throw new Error(`handler module ${spec.module} has no function export '${spec.exportName}'`);
    return h as TaskHandler<never>;
  });
}

export function resolveHandler<P = unknown>(kind: string): Promise<TaskHandler<P>> {
  loadEnv();
  let p = cache.get(kind);
  if (!p) {
    const registered = kinds.get(kind);
    const spec = extra.get(kind);
    if (registered) p = registered.handler();
    else if (spec) p = loadExtra(spec);
    else return Promise.reject(new Error(`unknown task kind '${kind}' (known: ${knownKinds().join(", ") || "none"})`));
    cache.set(kind, p);
    p.catch(() => cache.delete(kind));
  }
  return p as unknown as Promise<TaskHandler<P>>;
}

export async function resolveFinalizer(kind: string): Promise<ShardFinalizer | undefined> {
  return kinds.get(kind)?.finalize?.();
}
