/**
 * Leftovers of interrupted atomic writes: `.<name>.tmp-<pid>-<hex>` (see atomic.ts). They are
 * hidden, so shard discovery never mistakes them for shards; `removeStaleTemps` deletes the
 * ones whose writing process is gone, e.g. before a rerun into the same output directory.
 * On storage shared between machines a pid says nothing about other hosts: call it only
 * when no other writer is active there.
 */
import { promises as fs } from "node:fs";
import path from "node:path";

const TEMP_NAME = /^\.(.+)\.tmp-(\d+)-[0-9a-f]+$/;

/** The final name a temporary file was meant to become, and its writer's pid, or undefined. */
export function parseTempName(name: string): { final: string; pid: number } | undefined {
  const m = TEMP_NAME.exec(name);
  return m ? { final: m[1]!, pid: Number(m[2]) } : undefined;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes stale temporary files under `dir` (recursively); returns their paths. */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  const removed: string[] = [];
  const visit = async (d: string): Promise<void> => {
    const entries = await fs.readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await visit(p);
      else if (e.isFile()) {
        const t = parseTempName(e.name);
        if (t && !alive(t.pid)) {
          await fs.rm(p, { force: true });
          removed.push(p);
        }
      }
    }
  };
  await visit(dir);
  return removed.sort();
}
