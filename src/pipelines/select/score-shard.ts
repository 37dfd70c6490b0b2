/**
 * The corpus-scale stage of `select` as an executor task (kind "select-score"): read one
 * shard, score every document, write the kept ones to `selected/<rel>` (same format, every
 * field), one score row per document to `scores/<rel>.parquet`, and return the counts that
 * reconcile: read = kept + dropped + rejected. Runs in worker threads or remote workers from
 * the JSON params alone; the executor writes the completion marker after we return.
 */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { BadInputLog, type BadInputSummary } from "../../io/bad-input.js";
import { openShard } from "../../io/read.js";
import { LocalStorage } from "../../io/storage.js";
import { detectFormat } from "../../io/formats.js";
import { countWhitespaceWords } from "../../text/wordpunct.js";
import type { ShardResult, TaskHandler } from "../../exec/types.js";
import { loadScorer, tieKey, type ScorerSpec } from "./scorer.js";
import { keeps, type Threshold } from "./threshold.js";
import { openRecordWriter, type RecordWriter } from "../../io/write.js";
import { docKey } from "./sample.js";
import { NearThreshold, type NearDoc } from "./near.js";

export interface SelectScoreParams {
  scorer: ScorerSpec;
  threshold: Threshold;
  /** Seed of the per-document tie-break uniforms (the run's --seed). */
  tieSeed: number;
  textField?: string;
  idField?: string;
  strict?: boolean;
  /** JSON object "<shard>:<line>" → benchmark for sampled docs (BETR); relative to the output directory. */
  benchmarks?: string;
  histogram: { min: number; max: number; bins: number };
  /** Docs to keep for the report on each side of the threshold. */
  nearK: number;
  /** Characters of text kept for those docs. */
  textChars: number;
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
  const input = new LocalStorage(spec.inputRoot);
  const out = new LocalStorage(spec.outDir);
  const format = detectFormat(task.shard);
  if (!format) throw new Error(`${task.shard}: not a corpus shard`);
  const shardPath = input.resolveRead(task.shard);
  const { size } = await stat(shardPath);
  const [scorer, benchmarks] = await Promise.all([loadScorer(p.scorer, spec.outDir), loadBenchmarks(p.benchmarks && path.resolve(spec.outDir, p.benchmarks))]);
  const bad = new BadInputLog({ strict: p.strict ?? false });
  const reader = openShard({ path: shardPath, rel: task.shard, format, bytes: size }, { bad, textField: p.textField, idField: p.idField, signal: ctx.signal, raw: format !== "parquet" });

  const hist = new Float64Array(p.histogram.bins);
  const span = p.histogram.max - p.histogram.min;
  const near = new NearThreshold(p.nearK);
  const keptByBenchmark: Record<string, number> = {};
  const ids: string[] = [];
  const lines: number[] = [];
  const scores: number[] = [];
  const kept: boolean[] = [];
  const bench: (string | null)[] = [];
  const example: (number | null)[] = [];
  let tokensRead = 0;
  let tokensKept = 0;
  let droppedBelow = 0;
  let droppedMasked = 0;
  let writer: RecordWriter | undefined;
  try {
    // Same format and layout as the input; Parquet keeps the input's schema.
    writer = await openRecordWriter(await out.resolve(`selected/${task.shard}`), format, { like: shardPath });
    for await (const batch of reader.batches()) {
      for (const rec of batch) {
        const key = docKey(task.shard, rec.line);
        const s = scorer.score(rec.text, key);
        const tie = tieKey(p.tieSeed, key);
        const k = keeps(p.threshold, s, tie);
        const tokens = countWhitespaceWords(rec.text);
        tokensRead += tokens;
        // Attribution: the nearest target example, for every document where the scorer can
        // name it (lexical BETR); otherwise the ranking stage's best benchmark of sampled docs.
        const nearest = scorer.nearest?.();
        const b = scorer.nearest ? (nearest?.benchmark ?? null) : (benchmarks[key] ?? null);
        if (s !== -Infinity) {
          let bin = span > 0 ? Math.floor(((s - p.histogram.min) / span) * hist.length) : 0;
          if (bin < 0) bin = 0;
          else if (bin >= hist.length) bin = hist.length - 1;
          hist[bin]++;
        }
        if (k) {
          tokensKept += tokens;
          if (b) keptByBenchmark[b] = (keptByBenchmark[b] ?? 0) + 1;
          const w = writer.write(rec);
          if (w) await w;
        } else if (s === -Infinity) droppedMasked++;
        else droppedBelow++;
        near.offer(k, s, tie, () => ({ id: rec.id, shard: task.shard, line: rec.line, score: s, text: rec.text.slice(0, p.textChars), benchmark: b ?? undefined }));
        ids.push(rec.id);
        lines.push(rec.line);
        scores.push(s);
        kept.push(k);
        bench.push(b);
        example.push(nearest ? nearest.example : null);
      }
      ctx.progress(batch.length);
    }
    await writer.commit();
  } catch (err) {
    await writer?.abort();
    throw err;
  }
  const n = ids.length;
  const table = parquetWriteBuffer({
    columnData: [
      { name: "id", data: ids, type: "STRING", nullable: false },
      { name: "shard", data: new Array<string>(n).fill(task.shard), type: "STRING", nullable: false },
      { name: "line", data: Int32Array.from(lines), type: "INT32", nullable: false },
      { name: "score", data: Float64Array.from(scores), type: "DOUBLE", nullable: false },
      { name: "kept", data: kept, type: "BOOLEAN", nullable: false },
      { name: "benchmark", data: bench, type: "STRING" },
      { name: "example", data: example, type: "INT32" },
    ],
  });
  await out.writeAtomic(`scores/${task.shard}.parquet`, new Uint8Array(table));

  const keptN = kept.reduce((a, k) => a + (k ? 1 : 0), 0);
  const rejected = reader.stats.rejected;
  const summary: ScoreShardSummary = {
    histogram: Array.from(hist),
    tokensRead,
    tokensKept,
    droppedBelow,
    droppedMasked,
    bad: bad.toJSON(),
    near: near.result(),
    keptByBenchmark,
  };
  const result: ShardResult = {
    shard: task.shard,
    index: task.index,
    seconds: (performance.now() - t0) / 1000,
    counts: {
      read: n + rejected,
      kept: keptN,
      dropped: n - keptN,
      rejected,
      extra: { tokens_read: tokensRead, tokens_kept: tokensKept, dropped_below_threshold: droppedBelow, dropped_too_short: droppedMasked },
    },
    summary,
  };
  return result;
};
