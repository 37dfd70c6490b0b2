/**
 * Reuse of a pipeline step's result across runs on the same output. A step (train a
 * classifier, fit weights) is keyed by what it depends on (the sample's key, the options); its
 * JSON result and the files it wrote are recorded under `completions/steps/<name>.json`. A later
 * run with the same key whose files are all still there, with the sizes recorded, gets the
 * recorded result back instead of running the step again: a rerun where every shard is done,
 * and the other ranks of an array job, then skip the embedding and training.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import type { Storage } from "../io/storage.js";
import { COMPLETIONS_DIR } from "./completions.js";

interface StepRecord<T> {
  key: string;
  value: T;
  /** Output-relative path → size in bytes. */
  files: Record<string, number>;
}

export function stepKey(parts: unknown): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32);
}

async function sizeOf(storage: Storage, rel: string): Promise<number | undefined> {
  if (!(await storage.exists(rel))) return undefined;
  const local = storage.localPath(rel);
  if (local) return (await fs.stat(local)).size;
  return (await storage.readFile(rel)).length;
}

const recordPath = (name: string) => `${COMPLETIONS_DIR}/steps/${name}.json`;

/** The recorded result of a step (whatever its key), or undefined when none is recorded. */
export async function readStepValue<T>(storage: Storage, name: string): Promise<T | undefined> {
  const rel = recordPath(name);
  if (!(await storage.exists(rel))) return undefined;
  return (JSON.parse((await storage.readFile(rel)).toString("utf8"), revive) as StepRecord<T>).value;
}

/** JSON has no Infinity (a keep-nothing threshold): it is written as a string and read back. */
const replace = (_k: string, v: unknown) => (v === Infinity ? "Infinity" : v === -Infinity ? "-Infinity" : v);
const revive = (_k: string, v: unknown) => (v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v);

export interface CachedStep<T> {
  value: T;
  reused: boolean;
}

/**
 * Runs `run` unless a recorded result with the same key exists and its files are intact.
 * `files(value)` lists the output-relative files the step's result refers to.
 */
export async function cachedStep<T>(storage: Storage, name: string, key: string, files: (value: T) => string[], run: () => Promise<T>): Promise<CachedStep<T>> {
  const rel = recordPath(name);
  try {
    if (await storage.exists(rel)) {
      const rec = JSON.parse((await storage.readFile(rel)).toString("utf8"), revive) as StepRecord<T>;
      if (rec.key === key) {
        const same = await Promise.all(Object.entries(rec.files).map(async ([f, size]) => (await sizeOf(storage, f)) === size));
        if (same.every(Boolean)) return { value: rec.value, reused: true };
      }
    }
  } catch {
    // A damaged record is a cache miss.
  }
  const value = await run();
  const record: StepRecord<T> = { key, value, files: {} };
  for (const f of files(value)) {
    const size = await sizeOf(storage, f);
    if (size === undefined) throw new Error(`step '${name}' names ${f}, which it did not write`);
    record.files[f] = size;
  }
  await storage.writeAtomic(rel, JSON.stringify(record, replace) + "\n");
  return { value, reused: false };
}
