/**
 * Task handlers by kind. A worker thread or a remote `datatailor worker` receives only a JSON
 * payload, so every process must be able to turn `kind` into code: built-in kinds are lazy
 * imports; extra kinds (tests, plugins) are absolute module paths registered explicitly, either
 * in-process with `registerHandlerModule` (forwarded to this executor's worker threads) or for
 * separate processes through DATATAILOR_HANDLERS="kind=/abs/module.ts#export;...". Nothing
 * outside those two opt-ins is ever imported from a payload.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ShardResult, TaskHandler } from "./types.js";

type Loader = () => Promise<TaskHandler<never>>;

// Kept in variables so that this file compiles before the select pipeline lands.
const SELECT_SCORE_MODULE = "../pipelines/select/score-shard.js";
const SELECT_SAMPLE_MODULE = "../pipelines/select/sample-shard.js";

const BUILTIN: Record<string, Loader> = {
  "select-score": async () => {
    const mod = (await import(SELECT_SCORE_MODULE)) as { scoreShard?: TaskHandler<never> };
    if (typeof mod.scoreShard !== "function") throw new Error("select-score: score-shard module has no scoreShard export");
    return mod.scoreShard;
  },
  "select-sample": async () => {
    const mod = (await import(SELECT_SAMPLE_MODULE)) as { sampleShard?: TaskHandler<never> };
    if (typeof mod.sampleShard !== "function") throw new Error("select-sample: sample-shard module has no sampleShard export");
    return mod.sampleShard;
  },
  "filter-length": async () => (await import("./builtin/filter-length.js")).filterLength as TaskHandler<never>,
};

/**
 * Optional merge step of a kind: after `datatailor merge` has checked that every shard is done,
 * it calls this with all shard results (e.g. select rebuilds its stats.json, selection summary
 * and report from the per-shard summaries). Exported by the kind's module as `finalizeShards`.
 */
export type ShardFinalizer = (outDir: string, results: ShardResult[], log: (m: string) => void) => Promise<void>;

const FINALIZERS: Record<string, () => Promise<ShardFinalizer | undefined>> = {
  "select-score": async () => ((await import(SELECT_SCORE_MODULE)) as { finalizeShards?: ShardFinalizer }).finalizeShards,
};

export async function resolveFinalizer(kind: string): Promise<ShardFinalizer | undefined> {
  const f = FINALIZERS[kind];
  return f ? f() : undefined;
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
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(spec.kind)) throw new Error(`handler kind '${spec.kind}' must be letters, digits, '.', '_' or '-'`);
  if (BUILTIN[spec.kind]) throw new Error(`handler kind '${spec.kind}' is built in and cannot be replaced`);
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
  return [...Object.keys(BUILTIN), ...extra.keys()].sort();
}

export function resolveHandler<P = unknown>(kind: string): Promise<TaskHandler<P>> {
  loadEnv();
  let p = cache.get(kind);
  if (!p) {
    const builtin = BUILTIN[kind];
    const spec = extra.get(kind);
    if (builtin) p = builtin();
    else if (spec)
      p = import(pathToFileURL(spec.module).href).then((mod: Record<string, unknown>) => {
        const h = mod[spec.exportName];
        if (typeof h !== "function") throw new Error(`handler module ${spec.module} has no function export '${spec.exportName}'`);
        return h as TaskHandler<never>;
      });
    else return Promise.reject(new Error(`unknown task kind '${kind}' (known: ${knownKinds().join(", ")})`));
    cache.set(kind, p);
    p.catch(() => cache.delete(kind));
  }
  return p as unknown as Promise<TaskHandler<P>>;
}
