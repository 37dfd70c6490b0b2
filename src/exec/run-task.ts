/**
 * Runs one shard task wherever it lands (worker thread, queue worker, array task): checks the
 * payload's paths, skips the shard when its completion marker exists for this job, otherwise
 * runs the handler and writes the marker last. Handlers rename their outputs into place before
 * returning, so "marker present" implies "outputs complete", and a retried or duplicated task
 * only ever replaces whole files with identical ones.
 */
import { openStorage, resolveInside, safeRelPath } from "../io/storage.js";
import { jobFingerprint, readCompletion, writeCompletion } from "./completions.js";
import { resolveHandler } from "./handlers.js";
import type { JobSpec, ShardResult, ShardTask, TaskContext } from "./types.js";

/** Rejects payloads whose shard or directories could make a handler write elsewhere. */
export function checkPayload(spec: JobSpec<unknown>, task: ShardTask): void {
  if (typeof spec.kind !== "string" || !spec.kind) throw new Error("job payload has no kind");
  if (typeof spec.outDir !== "string" || !spec.outDir) throw new Error("job payload has no outDir");
  if (typeof spec.inputRoot !== "string" || !spec.inputRoot) throw new Error("job payload has no inputRoot");
  if (!Number.isInteger(task.index) || task.index < 0) throw new Error(`job payload has a bad shard index ${task.index}`);
  safeRelPath(task.shard);
  resolveInside(spec.outDir, task.shard);
  resolveInside(spec.inputRoot, task.shard);
}

export async function runTask(spec: JobSpec<unknown>, task: ShardTask, ctx: Omit<TaskContext, "input" | "output">): Promise<ShardResult> {
  checkPayload(spec, task);
  // Storage is opened from the payload's locations (a directory today; an object store's URL
  // scheme would select its implementation in openStorage), in whatever process runs the task.
  const out = openStorage(spec.outDir);
  // Symlinks inside the output dir must not lead out of it either (e.g. selected/x -> /etc).
  await out.localWritePath(task.shard);
  const fingerprint = jobFingerprint(spec);
  const prior = await readCompletion(out, task.shard, fingerprint);
  if (prior) return { ...prior, skipped: true };
  const input = openStorage(spec.inputRoot);
  const handler = await resolveHandler(spec.kind);
  const t0 = performance.now();
  let r: ShardResult;
  try {
    r = await handler(spec, task, { ...ctx, input, output: out });
  } catch (err) {
    // A missing input is named as such, not left as an ENOENT from deep inside a reader.
    if ((err as NodeJS.ErrnoException).code === "ENOENT" && !(await input.exists(task.shard).catch(() => true))) {
      throw new Error(`input shard not found: ${input.location}/${task.shard}`);
    }
    throw err;
  }
  const result: ShardResult = { ...r, shard: task.shard, index: task.index, seconds: r.seconds > 0 ? r.seconds : (performance.now() - t0) / 1000, skipped: undefined };
  await writeCompletion(out, fingerprint, result);
  return result;
}
