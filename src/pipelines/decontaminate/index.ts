/**
 * `datatailor decontaminate`: benchmark items → an n-gram index → every corpus document
 * matched against it, split into clean/ and contaminated/. Steps:
 *   1. discover the corpus shards (the output directory excluded);
 *   2. load the evaluation items and build (or reuse) the index in index/ (index-file.ts);
 *   3. run one "decontaminate-shard" task per shard on the executor (shard.ts);
 *   4. unless this is one rank of an array job, write contamination.parquet, stats.json and
 *      report.html (finalize.ts; `datatailor merge` does it for rank runs).
 */
import path from "node:path";
import { writeFileAtomic } from "../../io/atomic.js";
import { discoverShards } from "../../io/shards.js";
import { LocalExecutor } from "../../exec/local.js";
import type { Executor, JobSpec, ShardResult } from "../../exec/types.js";
import { createProgress } from "../../util/progress.js";
import { usageError } from "../../util/errors.js";
import { INDEX_FILE, prepareIndex } from "./index-file.js";
import { finalizeDecontamination, RUN_FILE, type DecontaminateSummary, type RunInfo } from "./finalize.js";
import type { DecontaminateShardParams } from "./shard.js";
import { DECONTAMINATE_KIND } from "./tasks.js";

export { DECONTAMINATE_KIND } from "./tasks.js";
export const DEFAULT_NGRAM = 13;
const EXAMPLES_PER_SHARD = 4;
const EXCERPT_CHARS = 700;

export interface DecontaminateOptions {
  against: string[];
  corpus: string[];
  out: string;
  ngram?: number;
  workers?: number;
  executor?: Executor;
  strict?: boolean;
  textField?: string;
  idField?: string;
  report?: boolean;
  progress?: boolean;
  log?: (m: string) => void;
  command?: string;
}

export interface DecontaminateResult {
  outDir: string;
  shards: number;
  skippedShards: number;
  /** This process ran only some shards (a rank): run `datatailor merge` once all are done. */
  partial: boolean;
  index: { items: number; benchmarks: number; distinct: number; short: number; bytes: number; seconds: number; reused: boolean };
  summary?: DecontaminateSummary;
  seconds: number;
}

export async function runDecontaminate(opts: DecontaminateOptions): Promise<DecontaminateResult> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const n = opts.ngram ?? DEFAULT_NGRAM;
  if (!Number.isInteger(n) || n < 1 || n > 64) throw usageError(`--ngram must be an integer in [1, 64], got ${n}`);
  const outDir = path.resolve(opts.out);

  // 1. shards
  const disc = await discoverShards(opts.corpus);
  const shards = disc.shards.filter((s) => !(s.path === outDir || s.path.startsWith(outDir + path.sep)));
  if (shards.length === 0) throw usageError("no corpus shards left once the output directory is excluded");

  // 2. index
  const prepared = await prepareIndex(opts.against, outDir, { n, strict: opts.strict, log });
  const b = prepared.meta.build;
  if (!prepared.reused)
    log(`index: ${b.items} items of ${prepared.meta.benchmarks.length} benchmark(s), ${b.distinct} distinct ${n}-grams, ${(b.bytes / 1e6).toFixed(1)} MB, built in ${b.seconds.toFixed(2)} s${b.short ? `; ${b.short} items shorter than ${n} words match whole` : ""}${b.empty ? `; ${b.empty} items have no words` : ""}`);
  for (const bm of prepared.meta.benchmarks) if (bm.skipped) log(`${bm.file}: ${bm.skipped} records did not fit shape ${bm.shape} and were skipped (first: line ${bm.problems[0]?.line}: ${bm.problems[0]?.reason})`);

  // 3. shards on the executor
  const workers = Math.max(1, opts.workers ?? 1);
  const info: RunInfo = { command: opts.command, report: opts.report ?? true, workers, indexReused: prepared.reused };
  await writeFileAtomic(path.join(outDir, RUN_FILE), JSON.stringify(info, null, 1) + "\n");
  const params: DecontaminateShardParams = {
    index: INDEX_FILE,
    indexKey: prepared.meta.key,
    textField: opts.textField,
    idField: opts.idField,
    strict: opts.strict,
    examples: EXAMPLES_PER_SHARD,
    excerptChars: EXCERPT_CHARS,
  };
  const spec: JobSpec<DecontaminateShardParams> = { kind: DECONTAMINATE_KIND, inputRoot: disc.root, outDir, params };
  const tasks = shards.map((s, index) => ({ index, shard: s.rel }));
  const executor = opts.executor ?? new LocalExecutor({ workers });
  const totalBytes = shards.reduce((a, s) => a + s.bytes, 0);
  const bar = createProgress({ label: "decontaminate", unit: "docs", enabled: opts.progress });
  const tRun = performance.now();
  let results: ShardResult[];
  try {
    results = await executor.run(spec, tasks, { onProgress: (k) => bar.tick(k) });
  } finally {
    bar.stop();
    if (!opts.executor) await executor.close?.();
  }
  const runSeconds = (performance.now() - tRun) / 1000;
  const skipped = results.filter((r) => r.skipped).length;
  if (skipped) log(`${skipped} shard(s) were already complete (completion markers) and were skipped`);
  const partial = results.length < tasks.length;
  let summary: DecontaminateSummary | undefined;
  if (partial) log(`${executor.name} executor: this process did ${results.length} of ${tasks.length} shards; run 'datatailor merge --out ${outDir}' when all are done`);
  else {
    summary = await finalizeDecontamination(outDir, results, { log, runSeconds });
    log(`${(totalBytes / 1e6).toFixed(1)} MB of shards in ${runSeconds.toFixed(2)} s (${(totalBytes / 1e6 / Math.max(runSeconds, 1e-9)).toFixed(1)} MB/s, ${workers} worker(s))`);
  }
  return {
    outDir,
    shards: shards.length,
    skippedShards: skipped,
    partial,
    index: { items: b.items, benchmarks: prepared.meta.benchmarks.length, distinct: b.distinct, short: b.short, bytes: b.bytes, seconds: b.seconds, reused: prepared.reused },
    summary,
    seconds: (performance.now() - t0) / 1000,
  };
}
