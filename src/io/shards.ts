/**
 * Shard discovery from files, directories (recursive) and globs. Shards are sorted by their
 * path relative to a common root (plain code-unit order, independent of locale and of the
 * order inputs were given in), so shard indices are stable across machines and reruns, and
 * outputs can mirror the input layout under `<out>/.../<rel>`.
 *
 * Inside directories and glob expansions, files that are not corpus shards (README, _SUCCESS,
 * .crc, ...) are skipped and listed in `skipped`; hidden entries (names starting with ".",
 * which includes datatailor's own temporary files) are ignored. A file named explicitly must
 * be a shard, and an input that yields no shard at all is an error.
 */
import { promises as fs, type Dirent } from "node:fs";
import path from "node:path";
import { UserError, usageError } from "../util/errors.js";
import { detectFormat, type ShardFormat } from "./formats.js";
import { globDepth, globToRegExp, hasGlob, splitGlob } from "./glob.js";

export interface Shard {
  /** Absolute path. */
  path: string;
  /** POSIX path relative to the discovery root. */
  rel: string;
  format: ShardFormat;
  bytes: number;
}

export interface Discovery {
  root: string;
  shards: Shard[];
  /** Files under the inputs that were not corpus shards (absolute paths). */
  skipped: string[];
}

interface Found {
  abs: string;
  bytes: number;
  format: ShardFormat;
}

const FORMATS_HINT = ".jsonl, .json, .ndjson (optionally .gz or .zst), .parquet or .txt";

export async function discoverShards(inputs: string[]): Promise<Discovery> {
  if (inputs.length === 0) throw usageError("no corpus input given");
  const anchors: string[] = [];
  const found = new Map<string, Found>();
  const skipped = new Set<string>();
  for (const input of inputs) {
    const before = found.size;
    const posix = input.split(path.sep).join("/");
    if (hasGlob(posix) && !(await exists(input))) {
      const { base, rest } = splitGlob(posix);
      const baseAbs = path.resolve(base);
      if (!(await isDir(baseAbs))) throw new UserError(`${input}: no such directory ${base}`);
      anchors.push(baseAbs);
      const re = globToRegExp(rest);
      await walk(baseAbs, "", globDepth(rest), (abs, relFromBase, st) => {
        if (!re.test(relFromBase)) return;
        const format = detectFormat(abs);
        if (format) found.set(abs, { abs, bytes: st.size, format });
        else skipped.add(abs);
      });
      if (found.size === before) throw usageError(`${input}: the pattern matched no corpus shards (${FORMATS_HINT})`);
      continue;
    }
    const abs = path.resolve(input);
    const st = await fs.stat(abs).catch(() => null);
    // A missing file is a failure (exit 1), as a missing --target, --model or data file is.
    if (!st) throw new UserError(`${input}: no such file or directory`);
    if (st.isDirectory()) {
      anchors.push(abs);
      // .txt files are the corpus only in a directory of plain text: beside JSONL or Parquet
      // shards they are READMEs, licenses and notes, and are skipped.
      const texts: Found[] = [];
      let structured = false;
      await walk(abs, "", -1, (file, _rel, fst) => {
        const format = detectFormat(file);
        if (format === "txt") texts.push({ abs: file, bytes: fst.size, format });
        else if (format) {
          structured = true;
          found.set(file, { abs: file, bytes: fst.size, format });
        } else skipped.add(file);
      });
      for (const t of texts) {
        if (structured) skipped.add(t.abs);
        else found.set(t.abs, t);
      }
      if (found.size === before && ![...found.keys()].some((k) => k.startsWith(abs + path.sep)))
        throw usageError(`${input}: no corpus shards in this directory (${FORMATS_HINT})`);
    } else {
      const format = detectFormat(abs);
      if (!format) throw usageError(`${input}: not a corpus shard (expected ${FORMATS_HINT})`);
      anchors.push(path.dirname(abs));
      found.set(abs, { abs, bytes: st.size, format });
    }
  }
  const root = commonDir(anchors);
  const shards: Shard[] = [...found.values()].map((f) => ({
    path: f.abs,
    rel: path.relative(root, f.abs).split(path.sep).join("/"),
    format: f.format,
    bytes: f.bytes,
  }));
  shards.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return { root, shards, skipped: [...skipped].sort() };
}

type Visit = (abs: string, rel: string, st: { size: number }) => void;

/** Depth-first walk; `maxDepth` < 0 means unlimited. Follows symlinks, guarding against cycles. */
async function walk(dir: string, rel: string, maxDepth: number, visit: Visit, seen = new Set<string>()): Promise<void> {
  const real = await fs.realpath(dir);
  if (seen.has(real)) return;
  seen.add(real);
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw usageError(`${dir}: cannot list directory (${(err as Error).message})`);
  }
  const depth = rel === "" ? 1 : rel.split("/").length + 1;
  for (const e of entries) {
    if (e.name.startsWith(".")) continue;
    const abs = path.join(dir, e.name);
    const r = rel === "" ? e.name : `${rel}/${e.name}`;
    let isDirectory = e.isDirectory();
    let isFile = e.isFile();
    let size = 0;
    if (e.isSymbolicLink()) {
      const st = await fs.stat(abs).catch(() => null);
      if (!st) continue; // dangling link
      isDirectory = st.isDirectory();
      isFile = st.isFile();
      size = st.size;
    }
    if (isDirectory) {
      if (maxDepth < 0 || depth < maxDepth) await walk(abs, r, maxDepth, visit, seen);
    } else if (isFile) {
      if (!size) size = (await fs.stat(abs)).size;
      visit(abs, r, { size });
    }
  }
}

/** Deepest directory containing every given directory. */
export function commonDir(dirs: string[]): string {
  if (dirs.length === 0) return process.cwd();
  let parts = dirs[0]!.split(path.sep);
  for (const d of dirs.slice(1)) {
    const p = d.split(path.sep);
    let i = 0;
    while (i < parts.length && i < p.length && parts[i] === p[i]) i++;
    parts = parts.slice(0, i);
  }
  const joined = parts.join(path.sep);
  return joined === "" ? path.sep : joined;
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

async function isDir(p: string): Promise<boolean> {
  const st = await fs.stat(p).catch(() => null);
  return !!st?.isDirectory();
}
