/**
 * `mkdir -p` that cannot spin. Node 20's `mkdir(dir, { recursive: true })` loops forever at
 * 100% CPU where mkdir answers ENOENT under a parent that exists (/proc; some FUSE and network
 * filesystems): `lm train --output /proc/x/model.arpa` hung. This walks up to the first
 * directory that exists, then creates each missing one with a plain mkdir, so any refusal comes
 * back as the error it is (code and path).
 */
import { promises as fs } from "node:fs";
import path from "node:path";

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;

export async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = path.resolve(dir); ; ) {
    try {
      const st = await fs.stat(d);
      if (st.isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${d}'`), { code: "ENOTDIR", path: d });
    } catch (e) {
      if (code(e) !== "ENOENT") throw e;
    }
    missing.push(d);
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const d of missing.reverse()) {
    try {
      await fs.mkdir(d);
    } catch (e) {
      // made meanwhile by another run: fine when it is a directory
      if (code(e) !== "EEXIST" || !(await fs.stat(d)).isDirectory()) throw e;
    }
  }
}
