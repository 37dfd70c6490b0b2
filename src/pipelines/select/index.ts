/**
 * `datatailor select`: targets + corpus → the subset of the corpus that matches the targets.
 * 1. discover shards, load targets; 2. seeded uniform sample + disjoint held-out sample;
 * 3. fit the scorer (BETR classifier, DSIR weights, or a given fastText model); 4. pick the
 * threshold on the held-out sample; 5. score every shard through an executor (task kind
 * "select-score"); 6. stats.json, KL reduction, report.html.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { mergeBadInput, type BadInputSummary } from "../../io/bad-input.js";
import { discoverShards } from "../../io/shards.js";
import { buildRunStats, StepCounter, writeStats, type ShardStats } from "../../io/stats.js";
import { writeFileAtomic } from "../../io/atomic.js";
import { LocalExecutor } from "../../exec/local.js";
import { RankExecutor } from "../../exec/rank.js";
import type { Executor, JobSpec, ShardResult } from "../../exec/types.js";
import { loadTargets, type TargetBenchmark, type TargetExample } from "../../targets/index.js";
import type { NgramHashMode } from "../../text/ngram-hash.js";
import { createProgress } from "../../util/progress.js";
import { renderSelectReport, type SelectReportData } from "../../report/select-report.js";
import { trainBetr, POSITIVE_LABEL, type BetrTrained } from "./betr.js";
import { fitDsir } from "./dsir.js";
import { planKeep } from "./keep.js";
import { selectionKl, type KlResult } from "./kl.js";
import { NearThreshold } from "./near.js";
import { docKey } from "./sample.js";
import { sampleWithExecutor } from "./sample-shard.js";
import { loadSample, sampleKey, saveSample } from "./sample-cache.js";
import { loadScorer, tieKey, type ScorerSpec } from "./scorer.js";
import type { ScoreShardSummary, SelectScoreParams } from "./score-shard.js";
import { absoluteThreshold, keeps, thresholdForFraction, type Threshold } from "./threshold.js";
import { UserError, usageError } from "../../util/errors.js";
import { maxOf, minOf } from "../../util/array.js";

export type { SelectScoreParams } from "./score-shard.js";

export interface SelectOptions {
  target: string[];
  corpus: string[];
  out: string;
  keep?: number;
  compute?: number;
  pool?: "nemotron-cc" | "dclm-rw";
  keepBy: "tokens" | "docs";
  method: "betr" | "dsir" | "classifier";
  model?: string;
  /** Positive label of --model (default __label__hq, DCLM's). */
  label?: string;
  threshold?: number;
  embedder?: string;
  sample: number;
  holdout: number;
  seed: number;
  workers: number;
  strict: boolean;
  allExamples: boolean;
  aggregate: "max" | "mean";
  value: "log" | "inverse";
  executor?: Executor;
  report: boolean;
  log?: (m: string) => void;
  progress?: boolean;
  /** Field holding the document text (default "text"; the Pile uses "contents"). */
  textField?: string;
  idField?: string;
  /** DSIR n-gram hashing (default "fast"). */
  hashing?: NgramHashMode;
  /** The command line, for the report. */
  command?: string;
}

export interface SelectResult {
  outDir: string;
  reportPath?: string;
  statsPath: string;
  summary: Record<string, unknown>;
}

export const DEFAULT_CLASSIFIER_LABEL = "__label__hq";
const HIST_BINS = 40;
const NEAR_K = 6;
const NEAR_CHARS = 600;

function round(x: number, d = 6): number {
  return Number.isFinite(x) ? Number(x.toFixed(d)) : x;
}

export async function runSelect(opts: SelectOptions): Promise<SelectResult> {
  const log = opts.log ?? (() => {});
  const tStart = performance.now();
  const outDir = path.resolve(opts.out);
  const modelDir = path.join(outDir, "model");
  const keepPlan = planKeep({ keep: opts.keep, compute: opts.compute, pool: opts.pool, threshold: opts.threshold, method: opts.method });
  if (opts.method === "classifier" && !opts.model) throw usageError("--method classifier needs --model <fastText .bin>");
  if (opts.method !== "classifier" && opts.target.length === 0) throw usageError(`--method ${opts.method} needs --target`);
  if (!(opts.sample >= 1) || !(opts.holdout >= 0)) throw usageError("--sample must be >= 1 and --holdout >= 0");
  if (keepPlan.compute) log(`keep rate from BETR's ${keepPlan.compute.pool} filter-rate law ${keepPlan.compute.formula}: ${keepPlan.compute.percent.toPrecision(4)}% of tokens${keepPlan.compute.clamped ? " (clamped to 100%)" : ""}`);

  // 1. shards and targets. Outputs under a corpus directory must not become input on a rerun.
  const disc = await discoverShards(opts.corpus);
  const shards = disc.shards.filter((s) => !(s.path === outDir || s.path.startsWith(outDir + path.sep)));
  if (shards.length === 0) throw usageError("no corpus shards left once the output directory is excluded");
  let targets: { examples: TargetExample[]; benchmarks: TargetBenchmark[] } | undefined;
  if (opts.target.length) targets = await loadTargets(opts.target, { allExamples: opts.allExamples, seed: opts.seed, strict: opts.strict });
  if (targets) log(`targets: ${targets.examples.length} examples from ${targets.benchmarks.length} benchmark(s): ${targets.benchmarks.map((b) => `${b.name} ${b.used}/${b.total}`).join(", ")}`);
  await fs.mkdir(modelDir, { recursive: true });

  // 2. sample: shard jobs (sample-shard.ts), unless a rerun finds the same sample kept.
  const tSample = performance.now();
  const sampleOpts = { sample: opts.sample, holdout: opts.holdout, seed: opts.seed, textField: opts.textField, idField: opts.idField };
  const key = await sampleKey(shards, sampleOpts);
  let sample = await loadSample(modelDir, key);
  const reused = sample !== undefined;
  if (sample) log(`sample: reusing the one kept in ${path.join(modelDir, "sample.jsonl.zst")} (same shards and sampling options)`);
  else {
    // Shard jobs on the run's executor (both rounds read every shard). An array-job rank only
    // sees its own shards, so it samples on this machine's threads, in a directory of its own:
    // ranks run at the same time, and a local run sweeps its directory's temporaries at the end.
    const rank = opts.executor instanceof RankExecutor ? opts.executor.rw.rank : undefined;
    const local = !opts.executor || rank !== undefined ? new LocalExecutor({ workers: Math.max(1, opts.workers) }) : undefined;
    const sampleBar = createProgress({ label: "sample (2 passes)", unit: "docs", enabled: opts.progress });
    const workDir = path.join(outDir, "sampling", rank === undefined ? "run" : `rank-${rank}`);
    try {
      sample = await sampleWithExecutor(local ?? opts.executor!, disc.root, shards, workDir, { ...sampleOpts, strict: opts.strict, onDocs: (n) => sampleBar.tick(n) });
    } finally {
      sampleBar.stop();
      await local?.close();
    }
    await saveSample(modelDir, key, sample);
    await fs.rm(workDir, { recursive: true, force: true });
    await fs.rmdir(path.dirname(workDir)).catch(() => undefined); // other ranks may still be sampling
  }
  const sampleSeconds = (performance.now() - tSample) / 1000;
  log(`read ${sample.docs} docs (${sample.tokens} tokens) from ${shards.length} shard(s); sample ${sample.train.length}, held out ${sample.holdout.length}${sample.rejected ? `; ${sample.rejected} bad input lines` : ""}`);
  if (sample.docs === 0) throw new UserError("the corpus holds no readable documents");

  // 3. the scorer.
  let scorerSpec: ScorerSpec;
  let betr: BetrTrained | undefined;
  const details: Record<string, string | number> = { shards: shards.length, "sampled docs": sample.train.length, "held-out docs": sample.holdout.length };
  const throughput: SelectReportData["throughput"] = [{ stage: reused ? "sample (kept from an earlier run)" : "sample (read corpus)", docs: sample.docs, seconds: sampleSeconds }];
  if (opts.method === "betr") {
    betr = await trainBetr(targets!.examples, sample.train, { embedder: opts.embedder, aggregate: opts.aggregate, value: opts.value, seed: opts.seed, workers: Math.max(1, opts.workers), modelDir, cacheDir: path.join(outDir, "cache"), log });
    scorerSpec = { kind: "fasttext", model: path.relative(outDir, betr.model), label: POSITIVE_LABEL };
    Object.assign(details, { embedder: betr.embedderId, "embedding dim": betr.dim, aggregate: opts.aggregate, value: opts.value, "classifier positives": betr.positives, "classifier negatives": betr.negatives, classifier: `fastText wordNgrams 2, dim 128, ws 10, minCount 5, lr ${betr.settings.lr.toPrecision(3)}, epoch ${betr.settings.epoch}, bucket ${betr.settings.bucket} (paper: lr 0.03, epoch 5 at >= 20k training docs)` });
    throughput.push({ stage: "embed targets + sample", docs: sample.train.length + targets!.examples.length, seconds: betr.seconds.embed });
    throughput.push({ stage: "rank (BETR scores)", docs: sample.train.length, seconds: betr.seconds.rank, workers: opts.workers });
    throughput.push({ stage: "train classifier", docs: betr.positives + betr.negatives, seconds: betr.seconds.train });
  } else if (opts.method === "dsir") {
    const t = performance.now();
    const hashing = opts.hashing ?? "fast";
    // The raw model sees the held-out docs too: when the corpus is small they are a large part
    // of it, and docs the raw model has seen score lower than unseen ones (their own n-grams
    // raise p_raw), so fitting on the sample alone would bias the held-out threshold.
    const rawTexts = [...sample.train, ...sample.holdout].map((d) => d.text);
    const fit = await fitDsir(targets!.examples.map((e) => e.text), rawTexts, { modelDir, hashing });
    // Gumbel noise makes the threshold a Gumbel top-k in expectation (DSIR's resampling).
    scorerSpec = { kind: "dsir", weights: path.relative(outDir, fit.weightsFile), gumbelSeed: opts.seed };
    Object.assign(details, { hashing, buckets: 10000, "target tokens": fit.targetTokens, "raw tokens": fit.rawTokens, "min tokens": 100 });
    throughput.push({ stage: "fit DSIR bag models", docs: sample.train.length + targets!.examples.length, seconds: (performance.now() - t) / 1000 });
  } else {
    const model = path.resolve(opts.model!);
    await fs.access(model).catch(() => {
      throw new UserError(`${opts.model}: no such model file`);
    });
    scorerSpec = { kind: "fasttext", model, label: opts.label ?? DEFAULT_CLASSIFIER_LABEL };
    Object.assign(details, { model, label: scorerSpec.label, preprocessing: "DCLM: lines joined with spaces" });
  }

  // 4. threshold on the held-out sample.
  const tHold = performance.now();
  const scorer = await loadScorer(scorerSpec, outDir);
  const hold = sample.holdout;
  const hScores = new Float64Array(hold.length);
  const hTies = new Float64Array(hold.length);
  const hWeights = new Float64Array(hold.length);
  hold.forEach((d, i) => {
    const key = docKey(d.shard, d.line);
    hScores[i] = scorer.score(d.text, key);
    hTies[i] = tieKey(opts.seed, key);
    hWeights[i] = opts.keepBy === "tokens" ? d.tokens : 1;
  });
  throughput.push({ stage: "score held-out sample", docs: hold.length, seconds: (performance.now() - tHold) / 1000 });
  let threshold: Threshold;
  if (keepPlan.absolute !== undefined) threshold = absoluteThreshold(keepPlan.absolute);
  else {
    if (hold.length === 0) throw usageError("no held-out documents to set the threshold on (raise --holdout or use --threshold)");
    threshold = thresholdForFraction(hScores, hTies, hWeights, keepPlan.fraction).threshold;
  }
  log(`threshold: score ${threshold.score === Infinity ? "∞ (keep nothing)" : threshold.score.toPrecision(6)} (${scorer.describe})`);
  const hKept = Array.from(hScores, (s, i) => keeps(threshold, s, hTies[i]));

  // 5. score the corpus.
  const finite = Array.from(hScores).filter((s) => Number.isFinite(s));
  const histogram =
    scorerSpec.kind === "fasttext" ? { min: 0, max: 1, bins: HIST_BINS } : { min: finite.length ? minOf(finite) : 0, max: finite.length ? maxOf(finite) : 1, bins: HIST_BINS };
  if (histogram.max <= histogram.min) histogram.max = histogram.min + 1;
  const params: SelectScoreParams = {
    scorer: scorerSpec,
    threshold,
    tieSeed: opts.seed,
    textField: opts.textField,
    idField: opts.idField,
    strict: opts.strict,
    benchmarks: betr && path.relative(outDir, betr.benchmarksFile),
    histogram,
    nearK: NEAR_K,
    textChars: NEAR_CHARS,
  };
  const spec: JobSpec<SelectScoreParams> = { kind: "select-score", inputRoot: disc.root, outDir, params };
  const tasks = shards.map((s, index) => ({ index, shard: s.rel }));
  const executor = opts.executor ?? new LocalExecutor({ workers: Math.max(1, opts.workers) });
  const bar = createProgress({ label: "score", unit: "docs", total: sample.docs + sample.rejected, enabled: opts.progress });
  const tScore = performance.now();
  let results: ShardResult[];
  try {
    results = await executor.run(spec, tasks, { onProgress: (n) => bar.tick(n) });
  } finally {
    bar.stop();
    if (!opts.executor) await executor.close?.();
  }
  const scoreSeconds = (performance.now() - tScore) / 1000;
  const skipped = results.filter((r) => r.skipped).length;
  if (skipped) log(`${skipped} shard(s) were already complete (completion markers) and were skipped`);
  // A rank of an array job scores only its own shards: the run-wide files (stats.json, report)
  // are for `datatailor merge` once every rank is done, not for each rank to overwrite.
  const partial = results.length < tasks.length;
  if (partial) log(`${executor.name} executor: this process scored ${results.length} of ${tasks.length} shards; run 'datatailor merge --out ${outDir}' when all are done`);

  // 6. merge.
  const summaries = results.map((r) => r.summary as ScoreShardSummary);
  const totals = { read: 0, kept: 0, dropped: 0, rejected: 0, tokensRead: 0, tokensKept: 0, below: 0, masked: 0 };
  const hist = new Array<number>(HIST_BINS).fill(0);
  const near = new NearThreshold(NEAR_K);
  const keptByBenchmark: Record<string, number> = {};
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
  throughput.push({ stage: "score corpus (read, classify, write)", docs: totals.read, seconds: scoreSeconds, workers: opts.workers });
  const badSummary: BadInputSummary = mergeBadInput(summaries.map((s) => s.bad));
  const scored = totals.kept + totals.dropped;

  const readStep = new StepCounter("📖 read corpus shards");
  readStep.counts.total = totals.read;
  readStep.counts.forwarded = scored;
  readStep.counts.dropped = totals.rejected;
  for (const [reason, n] of Object.entries(badSummary.byReason)) readStep.inc(`dropped_${reason}`, n);
  const scoreStep = new StepCounter(`🔻 select-score (${opts.method})`);
  scoreStep.forward(totals.kept);
  scoreStep.drop("below_threshold", totals.below);
  if (totals.masked) scoreStep.drop("too_short", totals.masked);
  scoreStep.inc("tokens_total", totals.tokensRead);
  scoreStep.inc("tokens_forwarded", totals.tokensKept);
  for (const r of results) scoreStep.time.add(r.seconds);
  const writeStep = new StepCounter("💽 write selected shards");
  writeStep.forward(totals.kept);
  const runStats = buildRunStats([readStep, scoreStep, writeStep], shardStats, badSummary);

  let kl: KlResult | undefined;
  if (targets && hold.length > 0) kl = selectionKl(targets.examples, hold.map((d) => d.text), hKept);

  const keep = {
    requested: round(keepPlan.fraction),
    by: opts.keepBy,
    source: keepPlan.source,
    ...(keepPlan.compute ? { compute: keepPlan.compute } : {}),
    threshold: threshold.score,
    achievedTokenFraction: round(totals.tokensRead ? totals.tokensKept / totals.tokensRead : 0),
    achievedDocFraction: round(scored ? totals.kept / scored : 0),
  };
  const statsPath = path.join(outDir, "stats.json");
  if (!partial) await writeStats(statsPath, runStats);
  if (!partial) await writeFileAtomic(
    path.join(outDir, "selection.json"),
    JSON.stringify({ method: opts.method, seed: opts.seed, keep, threshold, scorer: { ...scorerSpec }, kl, keptByBenchmark, details }, null, 2) + "\n",
  );

  const benchmarks = targets
    ? targets.benchmarks.map((b) => ({ name: b.name, targets: b.used, keptDocs: keptByBenchmark[b.name] ?? 0, share: 0 }))
    : undefined;
  if (benchmarks) {
    const sum = benchmarks.reduce((a, b) => a + b.keptDocs, 0);
    for (const b of benchmarks) b.share = sum ? b.keptDocs / sum : 0;
  }
  const nearDocs = near.result();
  const strip = (d: (typeof nearDocs.above)[number]) => ({ id: d.id, shard: d.shard, score: d.score, text: d.text, benchmark: d.benchmark });

  let reportPath: string | undefined;
  if (opts.report && !partial) {
    const edges = Array.from({ length: HIST_BINS + 1 }, (_, i) => histogram.min + ((histogram.max - histogram.min) * i) / HIST_BINS);
    const data: SelectReportData = {
      method: opts.method,
      createdAt: new Date().toISOString(),
      command: opts.command,
      seed: opts.seed,
      keep: { ...keep, requested: Number.isNaN(keep.requested) ? keep.achievedTokenFraction : keep.requested, threshold: Number.isFinite(threshold.score) ? threshold.score : 0 },
      funnel: { read: totals.read, rejected: totals.rejected, scored, kept: totals.kept, dropped: totals.dropped, tokensRead: totals.tokensRead, tokensKept: totals.tokensKept },
      histogram: { edges, counts: hist },
      benchmarks: opts.method === "betr" ? benchmarks : undefined,
      nearThreshold: { above: nearDocs.above.map(strip), below: nearDocs.below.map(strip) },
      kl: kl ? { rawKL: kl.rawKL, selectedKL: kl.selectedKL, reduction: kl.reduction, perBenchmark: kl.perBenchmark } : undefined,
      throughput,
      rejected: { total: badSummary.total, byReason: badSummary.byReason, examples: badSummary.examples.map((e) => ({ file: e.file, line: e.line, reason: e.reason })) },
      shards: shardStats.map((s) => ({ shard: s.shard, read: s.read, kept: s.kept, dropped: s.dropped, rejected: s.rejected })),
      details: { ...details, "KL estimated on": `${hold.length} held-out docs, 10,000 hashed uni+bigram buckets`, "token": "whitespace-separated word" },
    };
    reportPath = path.join(outDir, "report.html");
    await writeFileAtomic(reportPath, await renderSelectReport(data));
  }

  const summary: Record<string, unknown> = {
    outDir,
    method: opts.method,
    seed: opts.seed,
    shards: shards.length,
    skippedShards: skipped,
    ...(partial ? { partial: true, shardsDone: results.length } : {}),
    read: totals.read,
    kept: totals.kept,
    dropped: totals.dropped,
    rejected: totals.rejected,
    reconciled: runStats.reconciled,
    tokensRead: totals.tokensRead,
    tokensKept: totals.tokensKept,
    keep,
    kl: kl ? { rawKL: round(kl.rawKL), selectedKL: round(kl.selectedKL), reduction: round(kl.reduction), estimatedOn: kl.docsRaw } : undefined,
    keptByBenchmark: opts.method === "betr" ? keptByBenchmark : undefined,
    model: path.resolve(outDir, scorerSpec.kind === "fasttext" ? scorerSpec.model : scorerSpec.weights),
    selected: path.join(outDir, "selected"),
    scores: path.join(outDir, "scores"),
    stats: statsPath,
    report: reportPath,
    seconds: round((performance.now() - tStart) / 1000, 2),
  };
  return { outDir, reportPath, statsPath, summary };
}
