/**
 * Completion markers, like datatrove's `completions/`: one small JSON file per finished shard
 * under `<out>/completions/done/<shard>.json`, written atomically *after* the shard's outputs
 * were renamed into place. A marker means "this shard's outputs are complete"; any executor
 * skips a shard whose marker matches the job, and `datatailor merge` checks that every shard of
 * the manifest has one.
 *
 * The marker records a fingerprint of the job (kind, input root, params), so a rerun with a
 * different threshold or model redoes the shard instead of trusting stale output.
 */
import { createHash } from "node:crypto";
import type { JobSpec, ShardResult, ShardTask } from "./types.js";
import { safeRelPath, type Storage } from "../io/storage.js";
import { parseTempName } from "../io/temp-files.js";

export const COMPLETIONS_DIR = "completions";
export const MANIFEST_FILE = `${COMPLETIONS_DIR}/manifest.json`;
const DONE_DIR = `${COMPLETIONS_DIR}/done`;

export interface CompletionMarker {
  fingerprint: string;
  result: ShardResult;
}

export interface Manifest {
  kind: string;
  inputRoot: string;
  fingerprint: string;
  shards: ShardTask[];
}

/** Stable JSON (sorted keys) so equal params give equal fingerprints whatever their key order. */
function stableJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return "[" + v.map(stableJson).join(",") + "]";
  const o = v as Record<string, unknown>;
  return (
    "{" +
    Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => JSON.stringify(k) + ":" + stableJson(o[k]))
      .join(",") +
    "}"
  );
}

export function jobFingerprint(spec: JobSpec<unknown>): string {
  return createHash("sha256")
    .update(stableJson({ kind: spec.kind, inputRoot: spec.inputRoot, params: spec.params }))
    .digest("hex")
    .slice(0, 16);
}

export function markerPath(shard: string): string {
  return `${DONE_DIR}/${safeRelPath(shard)}.json`;
}

/** The marker of a shard when it exists and belongs to this job; undefined otherwise. */
export async function readCompletion(storage: Storage, shard: string, fingerprint: string): Promise<ShardResult | undefined> {
  const rel = markerPath(shard);
  if (!(await storage.exists(rel))) return undefined;
  try {
    const m = JSON.parse((await storage.readFile(rel)).toString("utf8")) as CompletionMarker;
    if (m.fingerprint !== fingerprint || !m.result || m.result.shard !== shard) return undefined;
    return m.result;
  } catch {
    // A marker is written atomically, so garbage here means someone else's file: redo the shard.
    return undefined;
  }
}

export async function writeCompletion(storage: Storage, fingerprint: string, result: ShardResult): Promise<void> {
  const marker: CompletionMarker = { fingerprint, result: { ...result, skipped: undefined } };
  await storage.writeAtomic(markerPath(result.shard), JSON.stringify(marker) + "\n");
}

/**
 * Records the full shard list of a job so `merge` can tell which shards are missing. Every rank
 * of an array job writes identical bytes, so concurrent writers are harmless.
 */
export async function writeManifest(storage: Storage, spec: JobSpec<unknown>, tasks: ShardTask[]): Promise<void> {
  const manifest: Manifest = {
    kind: spec.kind,
    inputRoot: spec.inputRoot,
    fingerprint: jobFingerprint(spec),
    shards: [...tasks].sort((a, b) => a.index - b.index).map((t) => ({ index: t.index, shard: safeRelPath(t.shard) })),
  };
  const text = JSON.stringify(manifest, null, 1) + "\n";
  if (await storage.exists(MANIFEST_FILE)) {
    const old = (await storage.readFile(MANIFEST_FILE)).toString("utf8");
    if (old === text) return;
  }
  await storage.writeAtomic(MANIFEST_FILE, text);
}

export async function readManifest(storage: Storage): Promise<Manifest | undefined> {
  if (!(await storage.exists(MANIFEST_FILE))) return undefined;
  const m = JSON.parse((await storage.readFile(MANIFEST_FILE)).toString("utf8")) as Manifest;
  if (!m || !Array.isArray(m.shards) || typeof m.fingerprint !== "string") throw new Error(`${storage.location}/${MANIFEST_FILE}: not a datatailor manifest`);
  return m;
}

export interface CompletionStatus {
  manifest: Manifest;
  done: ShardResult[];
  missing: ShardTask[];
}

/** Which shards of the recorded job are finished and which are not. */
export async function completionStatus(storage: Storage): Promise<CompletionStatus | undefined> {
  const manifest = await readManifest(storage);
  if (!manifest) return undefined;
  const done: ShardResult[] = [];
  const missing: ShardTask[] = [];
  for (const t of manifest.shards) {
    const r = await readCompletion(storage, t.shard, manifest.fingerprint);
    if (r) done.push(r);
    else missing.push(t);
  }
  return { manifest, done, missing };
}

/**
 * Removes temporaries left by writers that died before renaming (SIGKILL, lost node). Only safe
 * once no live writer can still be using them: at the end of a run or in `merge`.
 */
export async function sweepTemporaries(storage: Storage): Promise<string[]> {
  const removed: string[] = [];
  for (const rel of await storage.list()) {
    const base = rel.slice(rel.lastIndexOf("/") + 1);
    if (parseTempName(base)) {
      await storage.remove(rel);
      removed.push(rel);
    }
  }
  return removed;
}

/**
 * Shards that have a completion marker here but are not inputs of this job any more (the
 * corpus changed under a reused --out): their markers and outputs are removed, so the output
 * holds only this job's shards. Outputs follow the layout convention `<dir>/<shard>` or
 * `<dir>/<shard>.<ext>`; only top-level directories that hold such outputs of current shards
 * count (selected/, scores/, ...), never model/ or other run-level folders.
 */
export async function removeStaleShards(storage: Storage, tasks: ShardTask[]): Promise<string[]> {
  const current = new Set(tasks.map((t) => safeRelPath(t.shard)));
  const prefix = `${DONE_DIR}/`;
  const stale = (await storage.list(DONE_DIR))
    .filter((rel) => rel.startsWith(prefix) && rel.endsWith(".json"))
    .map((rel) => rel.slice(prefix.length, -".json".length))
    .filter((shard) => !current.has(shard));
  if (stale.length === 0) return [];
  const staleSet = new Set(stale);
  const shardDirs = new Set<string>();
  const candidates: Array<{ rel: string; dir: string }> = [];
  for (const rel of await storage.list()) {
    const slash = rel.indexOf("/");
    if (slash < 0 || rel.startsWith(`${COMPLETIONS_DIR}/`)) continue;
    const dir = rel.slice(0, slash);
    const shard = shardOf(rel.slice(slash + 1), current, staleSet);
    if (shard === undefined) continue;
    if (current.has(shard)) shardDirs.add(dir);
    else candidates.push({ rel, dir });
  }
  const removed: string[] = stale.map(markerPath);
  for (const c of candidates) if (shardDirs.has(c.dir)) removed.push(c.rel);
  for (const rel of removed) await storage.remove(rel);
  await removeEmptyParents(storage, removed);
  return stale.sort();
}

/** The shard (current or stale) an output path stands for: `<shard>` or `<shard>.<ext>...`. */
function shardOf(inner: string, current: Set<string>, stale: Set<string>): string | undefined {
  for (let cut = inner.length; cut > 0; cut = inner.lastIndexOf(".", cut - 1)) {
    const s = inner.slice(0, cut);
    if (current.has(s) || stale.has(s)) return s;
  }
  return undefined;
}

/** Directories left empty by removing `files` (deepest first), so no empty shard folders stay behind. */
async function removeEmptyParents(storage: Storage, files: string[]): Promise<void> {
  const dirs = new Set<string>();
  for (const f of files) for (let d = f.slice(0, f.lastIndexOf("/")); d.includes("/"); d = d.slice(0, d.lastIndexOf("/"))) dirs.add(d);
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) if ((await storage.list(d)).length === 0) await storage.remove(d);
}

/**
 * What every executor does before a job's shards run: records the shard list (the manifest)
 * and removes the outputs of shards that are no longer inputs, saying so in one line.
 */
export async function beginJob(storage: Storage, spec: JobSpec<unknown>, tasks: ShardTask[], log: (m: string) => void = () => {}): Promise<void> {
  const stale = await removeStaleShards(storage, tasks);
  if (stale.length) {
    const shown = stale.slice(0, 5).join(", ") + (stale.length > 5 ? `, ... (${stale.length - 5} more)` : "");
    log(`removed the outputs of ${stale.length} shard(s) that are no longer inputs: ${shown}`);
  }
  await writeManifest(storage, spec, tasks);
}
