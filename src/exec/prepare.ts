/**
 * Preparation shared by the processes of an array job. Ranks of a Slurm array or Kubernetes
 * Indexed Job start together, and each needs the same corpus sample and trained classifier
 * before scoring its shards. Rank 0 prepares; the others wait until it has finished (its
 * `completions/prepared.json` names the same key), then run the same work themselves, which
 * finds rank 0's outputs and reuses them (step-cache.ts) instead of reading the corpus and
 * training again. A rank 0 that died is noticed by its heartbeat going stale; a waiting rank
 * then prepares itself, so nothing waits forever on a lost task.
 */
import { hostname } from "node:os";
import type { Storage } from "../io/storage.js";
import { COMPLETIONS_DIR } from "./completions.js";

const PREPARED = `${COMPLETIONS_DIR}/prepared.json`;
const PREPARING = `${COMPLETIONS_DIR}/preparing.json`;

export interface PrepareTiming {
  /** How often the preparing rank renews its heartbeat (default 10 s). */
  heartbeatMs?: number;
  /** A heartbeat older than this, or none after this long, means nobody is preparing (default 60 s). */
  staleMs?: number;
  /** How often a waiting rank looks (default 500 ms). */
  pollMs?: number;
}

interface Stamp {
  key: string;
  host: string;
  pid: number;
  at: number;
}

async function readStamp(storage: Storage, rel: string): Promise<Stamp | undefined> {
  try {
    if (!(await storage.exists(rel))) return undefined;
    return JSON.parse((await storage.readFile(rel)).toString("utf8")) as Stamp;
  } catch {
    return undefined; // being replaced right now, or not ours: look again later
  }
}

const stamp = (key: string): string => JSON.stringify({ key, host: hostname(), pid: process.pid, at: Date.now() } satisfies Stamp) + "\n";

/** Rank 0's side: runs the work with a heartbeat, then records that it is done. */
export async function prepareFirst<T>(storage: Storage, key: string, work: () => Promise<T>, timing: PrepareTiming = {}): Promise<T> {
  // An earlier run's record must not let the others start before this preparation is done.
  await storage.remove(PREPARED);
  await storage.writeAtomic(PREPARING, stamp(key));
  const beat = setInterval(() => void storage.writeAtomic(PREPARING, stamp(key)).catch(() => undefined), timing.heartbeatMs ?? 10_000);
  beat.unref();
  try {
    const value = await work();
    await storage.writeAtomic(PREPARED, stamp(key));
    return value;
  } finally {
    clearInterval(beat);
    await storage.remove(PREPARING).catch(() => undefined);
  }
}

/**
 * Another rank's side: waits for rank 0's preparation with the same key, then runs `work`
 * (which reuses what rank 0 made). Returns at once on a rerun whose preparation is recorded.
 */
export async function prepareAfterFirst<T>(storage: Storage, key: string, work: () => Promise<T>, log: (m: string) => void, timing: PrepareTiming = {}): Promise<T> {
  const staleMs = timing.staleMs ?? 60_000;
  const pollMs = timing.pollMs ?? 500;
  const start = Date.now();
  let said = false;
  while ((await readStamp(storage, PREPARED))?.key !== key) {
    const beat = await readStamp(storage, PREPARING);
    const alive = beat?.key === key && Date.now() - beat.at < staleMs;
    if (!alive && Date.now() - start > staleMs) {
      log(`rank 0 is not preparing (no heartbeat for ${+(staleMs / 1000).toFixed(1)} s): preparing here`);
      break;
    }
    if (!said) log("waiting for rank 0 to draw the sample and train the model");
    said = true;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  if (said) log(`rank 0's preparation ready after ${((Date.now() - start) / 1000).toFixed(1)} s`);
  return work();
}
