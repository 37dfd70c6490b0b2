/**
 * The corpus-scale stage of `select` as an executor task (kind "select-score"): read one
 * shard, score every document, write the kept ones to `selected/<rel>` (same format, every
 * field), one score row per document to `scores/<rel>.parquet`, and return the counts that
 * reconcile: read = kept + dropped + rejected. Runs in worker threads or remote workers from
 * the JSON params alone; the executor writes the completion marker after we return.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { BadInputLog, type BadInputSummary } from "../../io/bad-input.js";
import { openShard, type ShardReadStats } from "../../io/read.js";
import type { TxtSplit } from "../../io/formats.js";
import { openShardJob } from "../../exec/shard-job.js";
import { countWhitespaceWords } from "../../text/wordpunct.js";
import type { ShardResult, ShardTask, TaskHandler } from "../../exec/types.js";
import { loadScorer, tieKey, type ScorerSpec } from "./scorer.js";
import { keeps, type Threshold } from "./threshold.js";
import { openRecordWriter, type RecordWriter } from "../../io/write.js";
import { docKey } from "./sample.js";
import type { NearDoc } from "./near.js";
import { ScoreTally } from "./score-tally.js";
import { openShardCheck, type SelectContamParams, type SelectShardContamination } from "../decontaminate/select-hook.js";

export interface SelectScoreParams {
  scorer: ScorerSpec;
  threshold: Threshold;
  /** Seed of the per-document tie-break uniforms (the run's --seed). */
  tieSeed: number;
  textField?: string;
  idField?: string;
  /** Plain-text shards: one document per file or per paragraph (--txt-split). */
  txtSplit?: TxtSplit;
  strict?: boolean;
  /** JSON object "<shard>:<line>" → benchmark for sampled docs (BETR); relative to the output directory. */
  benchmarks?: string;
  histogram: { min: number; max: number; bins: number };
  /** Docs to keep for the report on each side of the threshold. */
  nearK: number;
  /** Characters of text kept for those docs. */
  textChars: number;
  /** Perplexity selection: CCNet's 30th and 60th percentile perplexities, for the head/middle/tail column. */
  ccnetBuckets?: [number, number];
  /** Metadata field whose values the report breaks the kept share down by (`--group-by`). */
  groupBy?: string;
  /** Benchmark contamination check of kept documents (decontaminate/select-hook.ts). */
  contamination?: SelectContamParams;
}

/** Read and kept counts of one source (a shard, or a value of the --group-by field). */
export interface SourceCounts {
  read: number;
  kept: number;
  tokensRead: number;
  tokensKept: number;
}


export interface ScoreShardSummary {
  histogram: number[];
  tokensRead: number;
  tokensKept: number;
  droppedBelow: number;
  droppedMasked: number;
  bad: BadInputSummary;
  near: { above: NearDoc[]; below: NearDoc[] };
  keptByBenchmark: Record<string, number>;
  /** Per value of the --group-by field. */
  groups?: Record<string, SourceCounts>;
  /** Seconds spent reading (and decompressing, parsing) the shard, and writing kept records. */
  readSeconds?: number;
  writeSeconds?: number;
  /** Blank lines skipped and records repeating an earlier id of this shard (ShardReader.stats). */
  blank?: number;
  duplicateIds?: number;
  firstDuplicate?: { id: string; line: number };
  /** Kept documents checked for benchmark items (decontaminate/select-hook.ts). */
  contamination?: SelectShardContamination;
}

const benchmarkCache = new Map<string, Promise<Record<string, string>>>();
function loadBenchmarks(file: string | undefined): Promise<Record<string, string>> {
  if (!file) return Promise.resolve({});
  let p = benchmarkCache.get(file);
  if (!p) {
    p = readFile(file, "utf8").then((s) => JSON.parse(s) as Record<string, string>);
    benchmarkCache.set(file, p);
  }
  return p;
}

export const scoreShard: TaskHandler<SelectScoreParams> = async (spec, task, ctx) => {
  const t0 = performance.now();
  const p = spec.params;
  const job = await openShardJob(spec, task, ctx);
  const { format, path: shardPath, bytes: size } = job;
  const [scorer, benchmarks] = await Promise.all([loadScorer(p.scorer, spec.outDir), loadBenchmarks(p.benchmarks && path.resolve(spec.outDir, p.benchmarks))]);
  const bad = new BadInputLog({ strict: p.strict ?? false });
  const reader = openShard({ path: shardPath, rel: task.shard, format, bytes: size }, { bad, textField: p.textField, idField: p.idField, txtSplit: p.txtSplit, signal: ctx.signal, raw: format !== "parquet" });
  const contam = await openShardCheck(p.contamination, spec.outDir);
  const tally = new ScoreTally(p, task.shard);
  let writer: RecordWriter | undefined;
  let readMs = 0;
  let writeMs = 0;
  try {
    // Same format and layout as the input; Parquet keeps the input's schema.
    writer = await openRecordWriter(await job.outputPath(`selected/${task.shard}`), format, { like: shardPath });
    let tRead = performance.now();
    for await (const batch of reader.batches()) {
      readMs += performance.now() - tRead;
      // a language model behind a backend scores the whole batch in one call
      const batchScores = scorer.batch ? await scorer.scoreBatch(batch.map((r) => r.text)) : undefined;
      for (let i = 0; i < batch.length; i++) {
        const rec = batch[i]!;
        const key = docKey(task.shard, rec.line);
        const score = scorer.batch ? batchScores![i]! : scorer.score(rec.text, key);
        const tie = tieKey(p.tieSeed, key);
        // a kept document that contains a benchmark item is dropped under --decontaminate-against
        const passes = keeps(p.threshold, score, tie);
        const dirty = passes && contam !== undefined && contam.check(rec, task.shard);
        const kept = passes && !dirty;
        // Attribution: the nearest target example, for every document where the scorer can
        // name it (lexical BETR); otherwise the ranking stage's best benchmark of sampled docs.
        const nearest = scorer.batch ? undefined : scorer.nearest?.();
        const benchmark = !scorer.batch && scorer.nearest ? (nearest?.benchmark ?? null) : (benchmarks[key] ?? null);
        tally.add({ rec, score, tie, kept, dirty, tokens: countWhitespaceWords(rec.text), benchmark, example: nearest ? nearest.example : null });
        if (kept) {
          const tw = performance.now();
          const w = writer.write(rec);
          if (w) await w;
          writeMs += performance.now() - tw;
        }
      }
      ctx.progress(batch.length);
      tRead = performance.now();
    }
    const tc = performance.now();
    await writer.commit();
    writeMs += performance.now() - tc;
  } catch (err) {
    await writer?.abort();
    throw err;
  }
  await job.output.writeAtomic(`scores/${task.shard}.parquet`, tally.table());
  return shardResult(task, tally, reader.stats, bad, { seconds: (performance.now() - t0) / 1000, readMs, writeMs, contamination: contam && { summary: contam.summary(), drop: contam.drop, dropped: contam.dropped } });
};

/** The counts that reconcile (read = kept + dropped + rejected) and the summary the run-level step merges. */
function shardResult(
  task: ShardTask,
  t: ScoreTally,
  stats: ShardReadStats,
  bad: BadInputLog,
  o: { seconds: number; readMs: number; writeMs: number; contamination?: { summary: SelectShardContamination; drop: boolean; dropped: number } },
): ShardResult {
  const n = t.docs;
  const summary: ScoreShardSummary = {
    histogram: Array.from(t.hist),
    tokensRead: t.tokensRead,
    tokensKept: t.tokensKept,
    droppedBelow: t.droppedBelow,
    droppedMasked: t.droppedMasked,
    bad: bad.toJSON(),
    near: t.near.result(),
    keptByBenchmark: t.keptByBenchmark,
    ...(t.groups ? { groups: t.groups } : {}),
    readSeconds: o.readMs / 1000,
    writeSeconds: o.writeMs / 1000,
    blank: stats.blank,
    duplicateIds: stats.duplicateIds,
    ...(stats.firstDuplicate ? { firstDuplicate: stats.firstDuplicate } : {}),
    ...(o.contamination ? { contamination: o.contamination.summary } : {}),
  };
  const extra = { tokens_read: t.tokensRead, tokens_kept: t.tokensKept, dropped_below_threshold: t.droppedBelow, dropped_too_short: t.droppedMasked, ...(o.contamination?.drop ? { dropped_contaminated: o.contamination.dropped } : {}) };
  return {
    shard: task.shard,
    index: task.index,
    seconds: o.seconds,
    counts: { read: n + stats.rejected, kept: t.keptDocs, dropped: n - t.keptDocs, rejected: stats.rejected, extra },
    summary,
  };
}
