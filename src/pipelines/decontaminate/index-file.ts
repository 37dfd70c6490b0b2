/**
 * The run's n-gram index on disk, under `<out>/index/`:
 *   ngrams.idx   the index image (src/models/contam/index-image.ts), read by every shard task
 *                into memory shared by the threads of its process
 *   items.jsonl  one line per item: benchmark number, row, own id, text (for the hit table and
 *                the report's side-by-side examples); items.offsets: where each line starts
 *   meta.json    written last: the inputs' key, n, benchmarks, build figures
 * A rerun (or another rank) whose benchmark files (paths, sizes, modification times), n,
 * strictness and image format version are unchanged reuses the files instead of rebuilding.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../../io/atomic.js";
import { publishSharedFile, sharedFileBytes } from "../../exec/shared-files.js";
import { expandTargetInputs } from "../../targets/read.js";
import { buildContamIndex, type BuildStats } from "../../models/contam/build.js";
import { ContamIndex, VERSION } from "../../models/contam/index-image.js";
import { loadEvalItems, type BenchmarkInfo, type EvalItem } from "./items.js";
import { makeDirs } from "../../util/make-dirs.js";

export const INDEX_DIR = "index";
export const INDEX_FILE = `${INDEX_DIR}/ngrams.idx`;
export const ITEMS_FILE = `${INDEX_DIR}/items.jsonl`;
export const META_FILE = `${INDEX_DIR}/meta.json`;
/** Byte offset of each line of items.jsonl (float64, one more than items), for reading a few items. */
export const OFFSETS_FILE = `${INDEX_DIR}/items.offsets`;

export interface IndexMeta {
  key: string;
  n: number;
  benchmarks: BenchmarkInfo[];
  build: BuildStats;
  bytes: number;
}

export interface PreparedIndex {
  meta: IndexMeta;
  index: ContamIndex;
  /** Absolute path of ngrams.idx. */
  file: string;
  reused: boolean;
}

async function inputsKey(against: string[], n: number, strict: boolean): Promise<string> {
  const files = await expandTargetInputs(against);
  const parts = [];
  for (const f of files) {
    const st = await fs.stat(f);
    parts.push({ file: path.resolve(f), size: st.size, mtime: st.mtimeMs });
  }
  return createHash("sha256")
    .update(JSON.stringify({ v: VERSION, n, strict, parts })) // a new image format rebuilds
    .digest("hex")
    .slice(0, 16);
}

/** Loads a written index into memory shared by this process's threads. */
export async function openIndexFile(file: string): Promise<ContamIndex> {
  const bytes = await sharedFileBytes(file, 0);
  return new ContamIndex(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export async function readIndexMeta(outDir: string): Promise<IndexMeta | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(outDir, META_FILE), "utf8")) as IndexMeta;
  } catch {
    return undefined;
  }
}

/** Builds an index from loaded items (shared memory), without touching the disk. */
export function indexItems(items: EvalItem[], n: number): { index: ContamIndex; stats: BuildStats } {
  return buildContamIndex({ count: items.length, forEach: (fn) => items.forEach((it) => fn(it.text, it.benchmark)) }, { n, shared: true });
}

export async function prepareIndex(against: string[], outDir: string, opts: { n: number; strict?: boolean; log?: (m: string) => void }): Promise<PreparedIndex> {
  const log = opts.log ?? (() => {});
  const key = await inputsKey(against, opts.n, opts.strict ?? false);
  const file = path.join(outDir, INDEX_FILE);
  const old = await readIndexMeta(outDir);
  if (old && old.key === key) {
    const st = await fs.stat(file).catch(() => undefined);
    const offsets = await fs.stat(path.join(outDir, OFFSETS_FILE)).catch(() => undefined);
    if (st && st.size === old.bytes && offsets) {
      log(`index: reusing ${file} (same benchmark files and n)`);
      return { meta: old, index: await openIndexFile(file), file, reused: true };
    }
  }
  const { benchmarks, items } = await loadEvalItems(against, { strict: opts.strict });
  const { index, stats } = indexItems(items, opts.n);
  await makeDirs(path.dirname(file));
  await writeFileAtomic(file, index.bytes());
  const lines = items.map((it) => Buffer.from(JSON.stringify({ b: it.benchmark, i: it.index, id: it.id, text: it.text }) + "\n"));
  await writeFileAtomic(path.join(outDir, ITEMS_FILE), lines);
  const offsets = new Float64Array(lines.length + 1);
  lines.forEach((l, i) => (offsets[i + 1] = offsets[i]! + l.length));
  await writeFileAtomic(path.join(outDir, OFFSETS_FILE), new Uint8Array(offsets.buffer));
  const meta: IndexMeta = { key, n: opts.n, benchmarks, build: stats, bytes: index.byteLength };
  await writeFileAtomic(path.join(outDir, META_FILE), JSON.stringify(meta, null, 1) + "\n");
  // Pool threads asking for the file get this memory instead of reading it again.
  await publishSharedFile(file, 0, index.words.buffer as SharedArrayBuffer);
  return { meta, index, file, reused: false };
}
