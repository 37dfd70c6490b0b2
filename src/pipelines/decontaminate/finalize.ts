/**
 * Run-wide outputs of `decontaminate` from the finished shards (the run itself, or `datatailor
 * merge` after rank tasks): contamination.parquet (the per-shard hit tables joined with the
 * items' benchmark, row and id), stats.json (datatrove-shaped steps, per-shard counts,
 * read = clean + contaminated + rejected) and report.html. Everything it needs is on disk
 * under the output directory, so any process can run it.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../../io/atomic.js";
import { mergeBadInput } from "../../io/bad-input.js";
import { readParquetColumns } from "../../io/parquet-read.js";
import { writeParquetColumns } from "../../io/parquet-write.js";
import { buildRunStats, StepCounter, writeStats, type RunStats, type ShardStats } from "../../io/stats.js";
import type { ShardResult } from "../../exec/types.js";
import type { FinalizeContext } from "../../exec/handlers.js";
import { renderContaminationReport, type DecontaminateReportData } from "../../report/contamination-report.js";
import { ITEMS_FILE, readIndexMeta } from "./index-file.js";
import { readItemRows } from "./item-rows.js";
import { pickExamples, reportExamples } from "./examples.js";
import type { DecontaminateShardSummary } from "./shard.js";

export const RUN_FILE = "decontaminate.json";

/** Options of the run, written before the shards run so that `merge` can finish it. */
export interface RunInfo {
  command?: string;
  report: boolean;
  workers: number;
  indexReused: boolean;
}

export interface DecontaminateSummary {
  read: number;
  clean: number;
  contaminated: number;
  rejected: number;
  hits: number;
  reconciled: boolean;
  benchmarks: Array<{ name: string; items: number; itemsHit: number; docsHit: number }>;
  stats: RunStats;
  report?: string;
  contamination: string;
}

type Meta = NonNullable<Awaited<ReturnType<typeof readIndexMeta>>>;
type ItemRows = Awaited<ReturnType<typeof readItemRows>>;
interface HitColumns {
  id: string[];
  shard: string[];
  line: number[];
  item: number[];
  ngrams: number[];
  whole: boolean[];
}
interface Totals {
  read: number;
  clean: number;
  contaminated: number;
  rejected: number;
  bytes: number;
}

/** Steps: gather the shards' hits; contamination.parquet; per-benchmark counts; stats.json; report.html. */
export async function finalizeDecontamination(outDir: string, results: ShardResult[], opts: { log?: (m: string) => void; runSeconds?: number } = {}): Promise<DecontaminateSummary> {
  const meta = await readIndexMeta(outDir);
  if (!meta) throw new Error(`${outDir}: no index/meta.json, so this is not a decontaminate output`);
  const run = JSON.parse(await fs.readFile(path.join(outDir, RUN_FILE), "utf8").catch(() => "{}")) as Partial<RunInfo>;
  const sorted = [...results].sort((a, b) => a.index - b.index);
  const names = meta.benchmarks.map((b) => b.name);
  const cols = await readHits(outDir, sorted);
  const summaries = sorted.map((r) => r.summary as DecontaminateShardSummary);
  const allExamples = summaries.flatMap((s) => s.examples);
  const rows = await readItemRows(path.join(outDir, ITEMS_FILE), new Set<number>([...cols.item, ...allExamples.map((e) => e.item)]));
  const benchOf = (item: number) => rows.get(item)?.b ?? -1;
  const contamination = path.join(outDir, "contamination.parquet");
  await writeContaminationTable(contamination, cols, rows, names, benchOf);
  const benchmarks = perBenchmark(meta, cols, benchOf);
  const { stats, totals, shardStats, bad } = runStats(meta, sorted, summaries, cols, benchmarks);
  await writeStats(path.join(outDir, "stats.json"), stats);
  let report: string | undefined;
  if (run.report !== false) {
    const data: DecontaminateReportData = {
      createdAt: new Date().toISOString(),
      command: run.command,
      contamination: {
        n: meta.n,
        checked: `${totals.clean + totals.contaminated} corpus documents checked against ${meta.build.items} items of ${names.length} benchmark${names.length === 1 ? "" : "s"}`,
        docsChecked: totals.clean + totals.contaminated,
        docsHit: totals.contaminated,
        benchmarks,
        examples: reportExamples(pickExamples(allExamples, benchOf), rows, names, meta.n),
        shortItems: meta.build.short,
      },
      funnel: { read: totals.read, clean: totals.clean, contaminated: totals.contaminated, rejected: totals.rejected },
      index: { items: meta.build.items, benchmarks: names.length, distinct: meta.build.distinct, short: meta.build.short, empty: meta.build.empty, bytes: meta.bytes, seconds: meta.build.seconds, reused: run.indexReused ?? false },
      throughput: [{ stage: "match shards (read, tokenise, look up, write)", seconds: opts.runSeconds ?? stats.steps[1]!.time_stats.total, bytes: totals.bytes, docs: totals.read, workers: run.workers }],
      rejected: { total: bad.total, byReason: bad.byReason, examples: bad.examples.map((e) => ({ file: e.file, line: e.line, reason: e.reason })) },
      shards: shardStats.map((x) => ({ shard: x.shard, read: x.read, clean: x.kept, contaminated: x.dropped, rejected: x.rejected })),
    };
    report = path.join(outDir, "report.html");
    await writeFileAtomic(report, renderContaminationReport(data));
  }
  opts.log?.(`contamination: ${totals.contaminated} of ${totals.clean + totals.contaminated} documents overlap ${benchmarks.filter((b) => b.itemsHit).length} benchmark(s); ${cols.id.length} (document, item) hits`);
  return { read: totals.read, clean: totals.clean, contaminated: totals.contaminated, rejected: totals.rejected, hits: cols.id.length, reconciled: stats.reconciled, benchmarks, stats, report, contamination };
}

/** The shards' hit tables, in shard order. */
async function readHits(outDir: string, sorted: ShardResult[]): Promise<HitColumns> {
  const cols: HitColumns = { id: [], shard: [], line: [], item: [], ngrams: [], whole: [] };
  for (const r of sorted) {
    const t = await readParquetColumns(path.join(outDir, "hits", `${r.shard}.parquet`));
    const n = t.id!.length;
    for (let i = 0; i < n; i++) {
      cols.id.push(String(t.id![i]));
      cols.shard.push(r.shard);
      cols.line.push(Number(t.line![i]));
      cols.item.push(Number(t.item![i]));
      cols.ngrams.push(Number(t.ngrams![i]));
      cols.whole.push(Boolean(t.whole![i]));
    }
  }
  return cols;
}

/** contamination.parquet: one row per (document, item) hit. */
async function writeContaminationTable(file: string, cols: HitColumns, rows: ItemRows, names: string[], benchOf: (item: number) => number): Promise<void> {
  await writeParquetColumns(
    file,
    {
      id: cols.id,
      shard: cols.shard,
      line: Int32Array.from(cols.line),
      benchmark: cols.item.map((i) => names[benchOf(i)] ?? null),
      item_index: Int32Array.from(cols.item, (i) => rows.get(i)?.i ?? -1),
      item_id: cols.item.map((i) => rows.get(i)?.id ?? null),
      ngrams: Int32Array.from(cols.ngrams),
      match: cols.whole.map((w) => (w ? "whole" : "ngram")),
    },
    { types: { id: "STRING", shard: "STRING", benchmark: "STRING", item_id: "STRING", match: "STRING" } },
  );
}

/** Per benchmark: items hit and documents hit. */
function perBenchmark(meta: Meta, cols: HitColumns, benchOf: (item: number) => number): DecontaminateSummary["benchmarks"] {
  const itemsHit = meta.benchmarks.map(() => new Set<number>());
  const docsHit = meta.benchmarks.map(() => new Set<string>());
  for (let r = 0; r < cols.item.length; r++) {
    const b = benchOf(cols.item[r]!);
    if (b < 0) continue;
    itemsHit[b]!.add(cols.item[r]!);
    docsHit[b]!.add(`${cols.shard[r]}\n${cols.line[r]}`);
  }
  return meta.benchmarks.map((b, i) => ({ name: b.name, items: b.items, itemsHit: itemsHit[i]!.size, docsHit: docsHit[i]!.size }));
}

/** datatrove-shaped steps: read, decontaminate, write; per-shard counts that reconcile. */
function runStats(meta: Meta, sorted: ShardResult[], summaries: DecontaminateShardSummary[], cols: HitColumns, benchmarks: DecontaminateSummary["benchmarks"]) {
  const totals: Totals = { read: 0, clean: 0, contaminated: 0, rejected: 0, bytes: 0 };
  const shardStats: ShardStats[] = sorted.map((r) => {
    totals.read += r.counts.read;
    totals.clean += r.counts.kept;
    totals.contaminated += r.counts.dropped;
    totals.rejected += r.counts.rejected;
    totals.bytes += r.counts.extra?.bytes ?? 0;
    return { shard: r.shard, read: r.counts.read, kept: r.counts.kept, dropped: r.counts.dropped, rejected: r.counts.rejected, seconds: Number(r.seconds.toFixed(3)), extra: r.counts.extra };
  });
  const bad = mergeBadInput(summaries.map((s) => s.bad));
  const readStep = new StepCounter("📖 read corpus shards");
  readStep.counts.total = totals.read;
  readStep.counts.forwarded = totals.clean + totals.contaminated;
  readStep.counts.dropped = totals.rejected;
  for (const [reason, k] of Object.entries(bad.byReason)) readStep.inc(`dropped_${reason}`, k);
  const decont = new StepCounter(`🦠 decontaminate (${meta.n}-grams)`);
  decont.forward(totals.clean);
  decont.drop("contaminated", totals.contaminated);
  decont.inc("hits", cols.id.length);
  for (const b of benchmarks) if (b.docsHit) decont.inc(`contaminated_${b.name}`, b.docsHit);
  for (const r of sorted) decont.time.add(r.seconds);
  const writeStep = new StepCounter("💽 write clean + contaminated shards");
  writeStep.forward(totals.clean + totals.contaminated);
  return { stats: buildRunStats([readStep, decont, writeStep], shardStats, bad), totals, shardStats, bad };
}

/** The kind's run-level step, for `datatailor merge` (registered in tasks.ts). */
export async function finalizeShards(ctx: FinalizeContext): Promise<void> {
  await finalizeDecontamination(ctx.outDir, ctx.results, { log: ctx.log });
}
