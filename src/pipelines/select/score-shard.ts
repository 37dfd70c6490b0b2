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
import { detectFormat, type TxtSplit } from "../../io/formats.js";
import { countWhitespaceWords } from "../../text/wordpunct.js";
import type { ShardResult, TaskHandler } from "../../exec/types.js";
import { loadScorer, tieKey, type ScorerSpec } from "./scorer.js";
import { keeps, type Threshold } from "./threshold.js";
import { openRecordWriter, type RecordWriter } from "../../io/write.js";
import { docKey } from "./sample.js";
import { NearThreshold, type NearDoc } from "./near.js";
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

/** Most distinct --group-by values a shard reports; the rest are counted under "(other)". */
const MAX_GROUPS = 200;

/** The --group-by value of a record: `metadata.<field>`, else the top-level field; dotted paths allowed. */
export function groupValue(fields: Record<string, unknown>, metadata: Record<string, unknown> | undefined, field: string): string {
  const walk = (o: unknown, parts: string[]): unknown => parts.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), o);
  const parts = field.split(".");
  const v = walk(metadata, parts) ?? walk(fields, parts);
  if (v === undefined || v === null) return "(missing)";
  return typeof v === "string" ? v : JSON.stringify(v);
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
  const input = new LocalStorage(spec.inputRoot);
  const out = new LocalStorage(spec.outDir);
  const format = detectFormat(task.shard);
  if (!format) throw new Error(`${task.shard}: not a corpus shard`);
  const shardPath = input.resolveRead(task.shard);
  const { size } = await stat(shardPath);
  const [scorer, benchmarks] = await Promise.all([loadScorer(p.scorer, spec.outDir), loadBenchmarks(p.benchmarks && path.resolve(spec.outDir, p.benchmarks))]);
  const bad = new BadInputLog({ strict: p.strict ?? false });
  const reader = openShard({ path: shardPath, rel: task.shard, format, bytes: size }, { bad, textField: p.textField, idField: p.idField, txtSplit: p.txtSplit, signal: ctx.signal, raw: format !== "parquet" });
  const contam = await openShardCheck(p.contamination, spec.outDir);

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
  const buckets = p.ccnetBuckets;
  const ppl: number[] = [];
  const bucket: string[] = [];
  const groups: Record<string, SourceCounts> | undefined = p.groupBy ? {} : undefined;
  let tokensRead = 0;
  let tokensKept = 0;
  let droppedBelow = 0;
  let droppedMasked = 0;
  let writer: RecordWriter | undefined;
  let readMs = 0;
  let writeMs = 0;
  try {
    // Same format and layout as the input; Parquet keeps the input's schema.
    writer = await openRecordWriter(await out.resolve(`selected/${task.shard}`), format, { like: shardPath });
    let tRead = performance.now();
    for await (const batch of reader.batches()) {
      readMs += performance.now() - tRead;
      for (const rec of batch) {
        const key = docKey(task.shard, rec.line);
        const s = scorer.score(rec.text, key);
        const tie = tieKey(p.tieSeed, key);
        // a kept document that contains a benchmark item is dropped under --decontaminate-against
        const passes = keeps(p.threshold, s, tie);
        const dirty = passes && contam !== undefined && contam.check(rec, task.shard);
        const k = passes && !dirty;
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
        if (groups) {
          let g = groupValue(rec.fields, rec.metadata, p.groupBy!);
          if (!(g in groups) && Object.keys(groups).length >= MAX_GROUPS) g = "(other)";
          const c = (groups[g] ??= { read: 0, kept: 0, tokensRead: 0, tokensKept: 0 });
          c.read++;
          c.tokensRead += tokens;
          if (k) {
            c.kept++;
            c.tokensKept += tokens;
          }
        }
        if (k) {
          tokensKept += tokens;
          if (b) keptByBenchmark[b] = (keptByBenchmark[b] ?? 0) + 1;
          const tw = performance.now();
          const w = writer.write(rec);
          if (w) await w;
          writeMs += performance.now() - tw;
        } else if (s === -Infinity) droppedMasked++;
        else if (!dirty) droppedBelow++;
        near.offer(k, s, tie, () => ({ id: rec.id, shard: task.shard, line: rec.line, score: s, text: rec.text.slice(0, p.textChars), benchmark: b ?? undefined }));
        ids.push(rec.id);
        lines.push(rec.line);
        scores.push(s);
        kept.push(k);
        bench.push(b);
        example.push(nearest ? nearest.example : null);
        if (buckets) {
          const x = 10 ** -s;
          ppl.push(x);
          bucket.push(x <= buckets[0] ? "head" : x <= buckets[1] ? "middle" : "tail");
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
      ...(buckets
        ? [
            { name: "perplexity", data: Float64Array.from(ppl), type: "DOUBLE" as const, nullable: false },
            { name: "bucket", data: bucket, type: "STRING" as const, nullable: false },
          ]
        : []),
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
    ...(groups ? { groups } : {}),
    readSeconds: readMs / 1000,
    writeSeconds: writeMs / 1000,
    blank: reader.stats.blank,
    duplicateIds: reader.stats.duplicateIds,
    ...(reader.stats.firstDuplicate ? { firstDuplicate: reader.stats.firstDuplicate } : {}),
    ...(contam ? { contamination: contam.summary() } : {}),
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
      extra: { tokens_read: tokensRead, tokens_kept: tokensKept, dropped_below_threshold: droppedBelow, dropped_too_short: droppedMasked, ...(contam?.drop ? { dropped_contaminated: contam.dropped } : {}) },
    },
    summary,
  };
  return result;
};
