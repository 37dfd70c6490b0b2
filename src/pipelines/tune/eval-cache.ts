/**
 * A response cache for `tune eval`, so an interrupted run resumes where it stopped: one small
 * JSON file per (model, request kind, settings, prompt), named by the sha256 of that key and
 * written atomically. The model's part of the key includes a local model file's size and mtime,
 * so a retrained model at the same path is not served stale answers. openai: models are not
 * cached here: that backend keeps its own response cache.
 */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../../io/atomic.js";

export class ResponseCache {
  hits = 0;
  writes = 0;
  constructor(readonly dir: string) {}

  key(parts: unknown[]): string {
    return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
  }

  private file(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  async get<T>(key: string): Promise<T | undefined> {
    try {
      const v = JSON.parse(await readFile(this.file(key), "utf8")) as { v: T };
      this.hits++;
      return v.v;
    } catch {
      return undefined; // missing or damaged: recompute
    }
  }

  async put(key: string, value: unknown): Promise<void> {
    await writeFileAtomic(this.file(key), JSON.stringify({ v: value }));
    this.writes++;
  }
}

/** The model's identity for cache keys: its (redacted) id plus size and mtime of a local model file. */
export async function modelCacheId(spec: string, id: string): Promise<string> {
  const m = /^[a-z]+:(.+)$/.exec(spec);
  if (m) {
    try {
      const st = await stat(m[1]);
      if (st.isFile()) return `${id}|${st.size}|${Math.round(st.mtimeMs)}`;
    } catch {
      // not a local file (a URL): the id alone
    }
  }
  return id;
}
