/**
 * select's run-level step: from every shard's result to stats.json (read, score and write
 * steps), selection.json and report.html. A local or queue run calls it once its shards are
 * done; `datatailor merge` calls it (as the "select-score" kind's finalizer) once an array
 * job's ranks are done, so both end with the same files. What the step needs besides the shard
 * results (threshold, scorer, KL on the held-out sample, report details) is decided before
 * scoring: it is the record of the cached preparation (completions/steps/select-prepare.json).
 */
import path from "node:path";
import { writeFileAtomic } from "../../io/atomic.js";
import { mergeBadInput, type BadInputSummary } from "../../io/bad-input.js";
import { buildRunStats, StepCounter, writeStats, type RunStats, type ShardStats } from "../../io/stats.js";
import type { FinalizeContext } from "../../exec/handlers.js";
import { readStepValue } from "../../exec/step-cache.js";
import type { ShardResult } from "../../exec/types.js";
import { renderSelectReport, type SelectReportData } from "../../report/select-report.js";
import { selectContamination, type SelectContamination } from "../decontaminate/select-hook.js";
import type { KeepPlan } from "./keep.js";
import type { KlResult } from "./kl.js";
import { NearThreshold } from "./near.js";
import { scorerFiles, type ScorerSpec } from "./scorer.js";
import type { ScoreShardSummary, SelectScoreParams, SourceCounts } from "./score-shard.js";
import type { Threshold } from "./threshold.js";

export type SelectMethod = "betr" | "dsir" | "classifier" | "perplexity" | "moore-lewis";
export type Throughput = SelectReportData["throughput"];

/** Everything the run-level step needs besides the shard results. */
export interface SelectRunInfo {
  method: SelectMethod;
  seed: number;
  keepBy: "tokens" | "docs";
  keepPlan: KeepPlan;
  threshold: Threshold;
  scorer: ScorerSpec;
  histogram: SelectScoreParams["histogram"];
  nearK: number;
  /** Report details (embedder, classifier settings, ...). */
  details: Record<string, string | number>;
  /** Stages before scoring, with their timings. */
  throughput: Throughput;
  kl?: KlResult;
  /** Target benchmarks and how many of their examples were used (BETR/DSIR). */
  benchmarks?: Array<{ name: string; used: number }>;
  holdoutDocs: number;
  /** Where the threshold was set: on every document (the sample held the whole corpus) or on the held-out sample. */
  thresholdOn?: "corpus" | "holdout";
  /** Metadata field of the source breakdown (`--group-by`). */
  groupBy?: string;
  /** Warnings decided before scoring (targets from evaluation splits, few positives, ...). */
  warnings?: string[];
  workers: number;
  report: boolean;
  command?: string;
}

/** The selection's outcome, as `select --json` prints it. */
export interface SelectSummary {
  outDir: string;
  method: SelectMethod;
  seed: number;
  shards: number;
  skippedShards: number;
  /** Present on an array-job rank, which scored only its own shards. */
  partial?: true;
  shardsDone?: number;
  read: number;
  kept: number;
  dropped: number;
  rejected: number;
  reconciled: boolean;
  tokensRead: number;
  tokensKept: number;
  keep: SelectKeep;
  kl?: { rawKL: number; selectedKL: number; reduction: number; estimatedOn: number };
  keptByBenchmark?: Record<string, number>;
  /** Kept share per value of the --group-by field. */
  groups?: Record<string, SourceCounts>;
  /** Documents DSIR masked (shorter than --min-tokens). */
  masked: number;
  /** Everything a user should know before trusting the selection: keep rate off, no closer than random, ... */
  warnings: string[];
  model: string;
  selected: string;
  scores: string;
  stats: string;
  report?: string;
  seconds: number;
}

export interface SelectKeep {
  requested: number;
  by: "tokens" | "docs";
  source: KeepPlan["source"];
  compute?: KeepPlan["compute"];
  threshold: number;
  achievedTokenFraction: number;
  achievedDocFraction: number;
}

export function round(x: number, d = 6): number {
  return Number.isFinite(x) ? Number(x.toFixed(d)) : x;
}

interface Totals {
  read: number;
  kept: number;
  dropped: number;
  rejected: number;
  tokensRead: number;
  tokensKept: number;
  below: number;
  masked: number;
}

/** Repeated ids over all shards, and the first one met (shard order). */
function duplicateIds(m: Merged): { count: number; shard: string; first: { id: string; line: number } } | undefined {
  let count = 0;
  let first: { shard: string; first: { id: string; line: number } } | undefined;
  for (const [i, s] of m.summaries.entries()) {
    if (!s.duplicateIds) continue;
    count += s.duplicateIds;
    if (!first && s.firstDuplicate) first = { shard: m.shardStats[i]!.shard, first: s.firstDuplicate };
  }
  return count && first ? { count, ...first } : undefined;
}

/** Sums the shards' counts, histograms, near-threshold docs and per-benchmark kept counts. */
function mergeSummaries(info: SelectRunInfo, results: ShardResult[]) {
  const summaries = results.map((r) => r.summary as ScoreShardSummary);
  const totals: Totals = { read: 0, kept: 0, dropped: 0, rejected: 0, tokensRead: 0, tokensKept: 0, below: 0, masked: 0 };
  const hist = new Array<number>(info.histogram.bins).fill(0);
  const near = new NearThreshold(info.nearK);
  const keptByBenchmark: Record<string, number> = {};
  const groups: Record<string, SourceCounts> = {};
  for (const s of summaries)
    for (const [g, c] of Object.entries(s.groups ?? {})) {
      const t = (groups[g] ??= { read: 0, kept: 0, tokensRead: 0, tokensKept: 0 });
      t.read += c.read;
      t.kept += c.kept;
      t.tokensRead += c.tokensRead;
      t.tokensKept += c.tokensKept;
    }
  const shardStats: ShardStats[] = results.map((r, i) => {
    const s = summaries[i];
    totals.read += r.counts.read;
    totals.kept += r.counts.kept;
    totals.dropped += r.counts.dropped;
    totals.rejected += r.counts.rejected;
    totals.tokensRead += s.tokensRead;
    totals.tokensKept += s.tokensKept;
    totals.below += s.droppedBelow;
    totals.masked += s.droppedMasked;
    s.histogram.forEach((c, j) => (hist[j] += c));
    near.merge(s.near);
    for (const [b, n] of Object.entries(s.keptByBenchmark)) keptByBenchmark[b] = (keptByBenchmark[b] ?? 0) + n;
    return { shard: r.shard, read: r.counts.read, kept: r.counts.kept, dropped: r.counts.dropped, rejected: r.counts.rejected, seconds: round(r.seconds, 3), extra: r.counts.extra };
  });
  const bad: BadInputSummary = mergeBadInput(summaries.map((s) => s.bad));
  return { totals, hist, near: near.result(), keptByBenchmark, groups, shardStats, bad, summaries };
}

type Merged = ReturnType<typeof mergeSummaries>;

/** datatrove-shaped steps: read corpus shards, score, write selected shards. */
function runStats(info: SelectRunInfo, results: ShardResult[], m: Merged, contam?: SelectContamination): RunStats {
  const { totals } = m;
  const readStep = new StepCounter("📖 read corpus shards");
  readStep.counts.total = totals.read;
  readStep.counts.forwarded = totals.kept + totals.dropped;
  readStep.counts.dropped = totals.rejected;
  for (const [reason, n] of Object.entries(m.bad.byReason)) readStep.inc(`dropped_${reason}`, n);
  const scoreStep = new StepCounter(`🔻 select-score (${info.method})`);
  scoreStep.forward(totals.kept);
  scoreStep.drop("below_threshold", totals.below);
  if (totals.masked) scoreStep.drop("too_short", totals.masked);
  if (contam?.dropped) scoreStep.drop("contaminated", contam.dropped);
  scoreStep.inc("tokens_total", totals.tokensRead);
  scoreStep.inc("tokens_forwarded", totals.tokensKept);
  for (const r of results) scoreStep.time.add(r.seconds);
  const writeStep = new StepCounter("💽 write selected shards");
  writeStep.forward(totals.kept);
  // Reading and writing are timed inside each shard job; blank lines and repeated ids are counted there.
  for (const r of results) {
    const s = r.summary as ScoreShardSummary;
    if (s.readSeconds !== undefined) readStep.time.add(s.readSeconds);
    if (s.writeSeconds !== undefined) writeStep.time.add(s.writeSeconds);
    if (s.blank) readStep.inc("blank_lines", s.blank);
    if (s.duplicateIds) readStep.inc("duplicate_ids", s.duplicateIds);
  }
  return buildRunStats([readStep, scoreStep, writeStep], m.shardStats, m.bad);
}

function keepOf(info: SelectRunInfo, totals: Totals): SelectKeep {
  const scored = totals.kept + totals.dropped;
  return {
    requested: round(info.keepPlan.fraction),
    by: info.keepBy,
    source: info.keepPlan.source,
    ...(info.keepPlan.compute ? { compute: info.keepPlan.compute } : {}),
    threshold: info.threshold.score,
    achievedTokenFraction: round(totals.tokensRead ? totals.tokensKept / totals.tokensRead : 0),
    achievedDocFraction: round(scored ? totals.kept / scored : 0),
  };
}

/** Relative tolerance of the keep-rate contract: the kept share is within ±3% of the request. */
export const KEEP_TOLERANCE = 0.03;

/** What a user must know before trusting the selection, each as one sentence with its numbers. */
export function selectWarnings(info: SelectRunInfo, m: Merged, keep: SelectKeep): string[] {
  const out = [...(info.warnings ?? [])];
  const { totals } = m;
  const fractional = info.keepPlan.source === "keep" || info.keepPlan.source === "compute";
  if (fractional && keep.requested > 0) {
    const achieved = keep.by === "tokens" ? keep.achievedTokenFraction : keep.achievedDocFraction;
    const rel = achieved / keep.requested - 1;
    if (Math.abs(rel) > KEEP_TOLERANCE) {
      const unit = keep.by === "tokens" ? "tokens" : "documents";
      const why: string[] = [];
      if (info.thresholdOn === "holdout") why.push(`the threshold was set on ${info.holdoutDocs} held-out documents, a sample of a corpus larger than --sample + --holdout`);
      if (totals.masked) why.push(`${totals.masked} documents shorter than --min-tokens were masked and cannot be kept`);
      if (totals.kept + totals.dropped < 5000) why.push(`the corpus has only ${totals.kept + totals.dropped} scored documents, so one document is ${(100 / Math.max(1, totals.kept + totals.dropped)).toFixed(2)}% of it`);
      out.push(`kept ${(achieved * 100).toFixed(2)}% of ${unit} where ${(keep.requested * 100).toFixed(2)}% was asked (${rel > 0 ? "+" : ""}${(rel * 100).toFixed(1)}% relative, beyond ±${KEEP_TOLERANCE * 100}%)${why.length ? ": " + why.join("; ") : ""}`);
    }
  }
  const dup = m.shardStats.length ? duplicateIds(m) : undefined;
  if (dup) out.push(`${dup.count} document(s) repeat an id seen earlier in their shard (first: id ${JSON.stringify(dup.first.id)} at ${dup.shard}:${dup.first.line}); ids are not unique, so id-keyed joins downstream will mix them up`);
  const kl = info.kl;
  if (kl && !(kl.reduction > 0))
    out.push(
      `the kept documents are not closer to the targets than a random draw of the same size by hashed uni+bigram KL (KL(target‖kept) ${kl.selectedKL.toFixed(3)} vs KL(target‖random) ${kl.rawKL.toFixed(3)}): ` +
        `KL weighs every n-gram, function words and formatting included, so a selection can match the targets' topics and still differ in style; check the kept documents and their nearest target examples before trusting it`,
    );
  return out;
}

function reportData(info: SelectRunInfo, m: Merged, keep: SelectKeep, throughput: Throughput, contam?: SelectContamination): SelectReportData {
  const { totals, hist, near, keptByBenchmark } = m;
  const h = info.histogram;
  const edges = Array.from({ length: h.bins + 1 }, (_, i) => h.min + ((h.max - h.min) * i) / h.bins);
  const benchmarks = info.benchmarks?.map((b) => ({ name: b.name, targets: b.used, keptDocs: keptByBenchmark[b.name] ?? 0, share: 0 }));
  const sum = benchmarks?.reduce((a, b) => a + b.keptDocs, 0) ?? 0;
  for (const b of benchmarks ?? []) b.share = sum ? b.keptDocs / sum : 0;
  const strip = (d: (typeof near.above)[number]) => ({ id: d.id, shard: d.shard, score: d.score, text: d.text, benchmark: d.benchmark });
  const kl = info.kl;
  return {
    method: info.method,
    createdAt: new Date().toISOString(),
    command: info.command,
    seed: info.seed,
    keep: { ...keep, requested: Number.isNaN(keep.requested) ? keep.achievedTokenFraction : keep.requested, threshold: Number.isFinite(info.threshold.score) ? info.threshold.score : 0 },
    funnel: { read: totals.read, rejected: totals.rejected, scored: totals.kept + totals.dropped, kept: totals.kept, dropped: totals.dropped, tokensRead: totals.tokensRead, tokensKept: totals.tokensKept },
    histogram: { edges, counts: hist },
    benchmarks: info.method === "betr" ? benchmarks : undefined,
    nearThreshold: { above: near.above.map(strip), below: near.below.map(strip) },
    kl: kl ? { rawKL: kl.rawKL, selectedKL: kl.selectedKL, reduction: kl.reduction, perBenchmark: kl.perBenchmark } : undefined,
    throughput,
    rejected: { total: m.bad.total, byReason: m.bad.byReason, examples: m.bad.examples.map((e) => ({ file: e.file, line: e.line, reason: e.reason })) },
    shards: m.shardStats.map((s) => ({ shard: s.shard, read: s.read, kept: s.kept, dropped: s.dropped, rejected: s.rejected })),
    details: { ...info.details, "KL estimated on": `${kl?.docsRaw ?? info.holdoutDocs} docs of a uniform sample of the corpus, ${(kl?.buckets ?? 10000).toLocaleString("en-US")} hashed uni+bigram buckets`, token: "whitespace-separated word" },
    warnings: selectWarnings(info, m, keep),
    sources: {
      shards: m.shardStats.map((s) => ({ name: s.shard, read: s.read - s.rejected, kept: s.kept })),
      groupBy: info.groupBy,
      groups: info.groupBy ? Object.entries(m.groups).map(([name, c]) => ({ name, read: c.read, kept: c.kept })) : undefined,
    },
    masked: m.totals.masked,
    contamination: contam && { note: contam.info.note, dropped: contam.dropped, data: contam.data },
  };
}

export interface FinalizeSelectOptions {
  /** Wall time of the scoring pass (default: the shards' seconds summed). */
  scoreSeconds?: number;
  skippedShards?: number;
  /** An array-job rank: summarise its shards, write no run-level file. */
  partial?: boolean;
  shards?: number;
}

/** Merges the shard results; writes stats.json, selection.json and report.html unless partial. */
export async function finalizeSelect(outDir: string, info: SelectRunInfo, results: ShardResult[], opts: FinalizeSelectOptions = {}): Promise<Omit<SelectSummary, "seconds">> {
  const m = mergeSummaries(info, results);
  const contam = opts.partial ? undefined : await selectContamination(outDir, results);
  const stats = runStats(info, results, m, contam);
  const keep = keepOf(info, m.totals);
  const statsPath = path.join(outDir, "stats.json");
  const scoreSeconds = opts.scoreSeconds ?? results.reduce((a, r) => a + r.seconds, 0);
  const throughput: Throughput = [...info.throughput, { stage: "score corpus (read, classify, write)", docs: m.totals.read, seconds: scoreSeconds, workers: info.workers }];
  let reportPath: string | undefined;
  if (!opts.partial) {
    await writeStats(statsPath, stats);
    const selection = { method: info.method, seed: info.seed, keep, threshold: info.threshold, scorer: { ...info.scorer }, kl: info.kl, keptByBenchmark: m.keptByBenchmark, groups: info.groupBy ? { field: info.groupBy, values: m.groups } : undefined, masked: m.totals.masked, warnings: selectWarnings(info, m, keep), details: info.details };
    await writeFileAtomic(path.join(outDir, "selection.json"), JSON.stringify(selection, null, 2) + "\n");
    if (info.report) {
      reportPath = path.join(outDir, "report.html");
      await writeFileAtomic(reportPath, await renderSelectReport(reportData(info, m, keep, throughput, contam)));
    }
  }
  const { totals } = m;
  const kl = info.kl;
  const scorer = info.scorer;
  return {
    outDir,
    method: info.method,
    seed: info.seed,
    shards: opts.shards ?? results.length,
    skippedShards: opts.skippedShards ?? 0,
    ...(opts.partial ? { partial: true as const, shardsDone: results.length } : {}),
    read: totals.read,
    kept: totals.kept,
    dropped: totals.dropped,
    rejected: totals.rejected,
    reconciled: stats.reconciled,
    tokensRead: totals.tokensRead,
    tokensKept: totals.tokensKept,
    keep,
    kl: kl ? { rawKL: round(kl.rawKL), selectedKL: round(kl.selectedKL), reduction: round(kl.reduction), estimatedOn: kl.docsRaw } : undefined,
    keptByBenchmark: info.method === "betr" ? m.keptByBenchmark : undefined,
    ...(info.groupBy ? { groups: m.groups } : {}),
    masked: totals.masked,
    warnings: selectWarnings(info, m, keep),
    // a server-side language model has no file: its spec (which select refuses to carry credentials in)
    model: scorer.kind === "perplexity" && scorer.scheme === "openai" ? `openai:${scorer.lm}` : path.resolve(outDir, scorerFiles(scorer)[0]!),
    selected: path.join(outDir, "selected"),
    scores: path.join(outDir, "scores"),
    stats: statsPath,
    report: reportPath,
  };
}

/** The "select-score" kind's run-level step, for `datatailor merge`: the run's record is the preparation's. */
export async function finalizeShards(ctx: FinalizeContext): Promise<void> {
  const prepared = await readStepValue<{ info: SelectRunInfo }>(ctx.output, "select-prepare");
  if (!prepared) throw new Error(`${ctx.outDir}: no completions/steps/select-prepare.json, so this output was not made by a select run of this version`);
  const info = prepared.info;
  const s = await finalizeSelect(ctx.outDir, info, ctx.results, { shards: ctx.results.length });
  ctx.log(`select: wrote stats.json, selection.json${s.report ? " and report.html" : ""}: kept ${s.kept} of ${s.read} docs`);
}
