/** Temporary directories and file listings shared by the executor tests. */
import { mkdtempSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const tmp = (prefix: string): string => mkdtempSync(path.join(os.tmpdir(), prefix));

/** Every file under `dir`, as sorted relative paths. */
export function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}
