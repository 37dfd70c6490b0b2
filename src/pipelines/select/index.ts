/**
 * `datatailor select`: targets + corpus → the subset of the corpus that matches the targets.
 * The pipeline, step by step (each step is a function of its own):
 *   1. discover shards and load targets                      (`discover`, below)
 *   2. draw the seeded sample and held-out sample            (prepare.ts `drawSample`)
 *   3. fit the scorer: BETR classifier, DSIR weights, or a given fastText model (`fitScorer`)
 *   4. set the threshold on the held-out sample              (`setThreshold`)
 *   5. score every shard through the executor (kind "select-score", score-shard.ts)
 *   6. finalize: stats.json, selection.json, report.html     (finalize.ts, also `datatailor merge`'s)
 * Steps 2-4 run as the executor's preparation and are kept for reruns (array-job ranks reuse
 * rank 0's); an executor that runs only part of the shards leaves step 6 to `merge`.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { openStorage } from "../../io/storage.js";
import { discoverShards } from "../../io/shards.js";
import { LocalExecutor } from "../../exec/local.js";
import { cachedStep, stepKey } from "../../exec/step-cache.js";
import type { Executor, JobSpec, ShardResult } from "../../exec/types.js";
import { loadTargets } from "../../targets/index.js";
import { usageError } from "../../util/errors.js";
import { createProgress } from "../../util/progress.js";
import { finalizeSelect, round, type SelectSummary } from "./finalize.js";
import { planKeep } from "./keep.js";
import { perplexityScorer } from "./lm-select.js";
import { prepareSelection, preparedFiles, type Prepared, type SelectInputs } from "./prepare.js";
import { SAMPLE_DOCS_FILE, sampleKey } from "./sample-cache.js";
import type { SelectScoreParams } from "./score-shard.js";
import { resolveSelectOptions, type ResolvedSelectOptions, type SelectOptions } from "./options.js";
import "./tasks.js";
import { prepareSelectContamination } from "../decontaminate/select-hook.js";
import { makeDirs } from "../../util/make-dirs.js";

export type { SelectScoreParams } from "./score-shard.js";
export type { SelectOptions, ResolvedSelectOptions } from "./options.js";
export { DEFAULT_CLASSIFIER_LABEL, SELECT_DEFAULTS, resolveSelectOptions } from "./options.js";
export type { SelectSummary, SelectKeep, SelectMethod } from "./finalize.js";

export interface SelectResult {
  outDir: string;
  reportPath?: string;
  statsPath: string;
  summary: SelectSummary;
}

/** The name of the cached preparation (steps 2-4) under completions/steps/. */
export const PREPARE_STEP = "select-prepare";

export async function runSelect(options: SelectOptions): Promise<SelectResult> {
  const tStart = performance.now();
  const o = resolveSelectOptions(options);
  const inp = await discover(o);
  const executor = o.executor ?? new LocalExecutor({ workers: o.workers });
  try {
    const prepared = await prepare(o, inp, executor);
    // kept documents vs benchmark items: --decontaminate-against, else the evaluation splits beside the targets
    prepared.params.contamination = await prepareSelectContamination({ against: o.decontaminateAgainst, targets: o.target, outDir: inp.outDir, strict: o.strict, log: o.log });
    const { results, seconds } = await scoreShards(o, inp, prepared, executor);
    const skipped = results.filter((r) => r.skipped).length;
    if (skipped) o.log(`${skipped} shard(s) were already complete (completion markers) and were skipped`);
    if (executor.partial) o.log(`${executor.name} executor: this process scored ${results.length} of ${inp.shards.length} shards; run 'datatailor merge --out ${inp.outDir}' when all are done`);
    const info = { ...prepared.info, report: o.report, command: o.command, workers: o.workers };
    const summary = await finalizeSelect(inp.outDir, info, results, { scoreSeconds: seconds, skippedShards: skipped, partial: executor.partial, shards: inp.shards.length });
    return { outDir: inp.outDir, reportPath: summary.report, statsPath: summary.stats, summary: { ...summary, seconds: round((performance.now() - tStart) / 1000, 2) } };
  } finally {
    if (!o.executor) await executor.close?.();
  }
}

/** Step 1: checks, shards (outputs under a corpus directory never become input) and targets. */
async function discover(o: ResolvedSelectOptions): Promise<SelectInputs> {
  const outDir = path.resolve(o.out);
  const keepPlan = planKeep({ keep: o.keep, compute: o.compute, pool: o.pool, threshold: o.threshold, method: o.method });
  if (o.method === "classifier" && !o.model) throw usageError("--method classifier needs --model <fastText .bin>");
  if (o.method !== "classifier" && o.method !== "perplexity" && o.target.length === 0) throw usageError(`--method ${o.method} needs --target`);
  if (!(o.sample >= 1) || !(o.holdout >= 0)) throw usageError("--sample must be >= 1 and --holdout >= 0");
  const c = keepPlan.compute;
  if (c) o.log(`keep rate from BETR's ${c.pool} filter-rate law ${c.formula}: ${c.percent.toPrecision(4)}% of tokens${c.clamped ? " (clamped to 100%)" : ""}`);
  if (o.method === "betr" && o.embedder !== undefined && o.embedder !== "lexical") (await import("../../backends/embed/index.js")).checkEmbedderSpec(o.embedder);
  if (o.method === "perplexity") await perplexityScorer(o.lm, { workers: o.workers }); // the spec and the model file, before any reading
  const disc = await discoverShards(o.corpus);
  const shards = disc.shards.filter((s) => !(s.path === outDir || s.path.startsWith(outDir + path.sep)));
  if (shards.length === 0) throw usageError("no corpus shards left once the output directory is excluded");
  const targets = o.target.length ? await loadTargets(o.target, { allExamples: o.allExamples, seed: o.seed, strict: o.strict, targetField: o.targetField, textField: o.textField }) : undefined;
  if (targets) o.log(`targets: ${targets.examples.length} examples from ${targets.benchmarks.length} benchmark(s): ${targets.benchmarks.map((b) => `${b.name} ${b.used}/${b.total}`).join(", ")}`);
  const modelDir = path.join(outDir, "model");
  await makeDirs(modelDir);
  return { outDir, modelDir, disc, shards, targets, keepPlan };
}

/** What steps 2-4 depend on: the shards as they are on disk, the targets and every option that shapes the scorer. */
async function prepareKey(o: ResolvedSelectOptions, inp: SelectInputs): Promise<string> {
  const model = o.method === "classifier" && o.model ? await fs.stat(path.resolve(o.model)).then((s) => [path.resolve(o.model!), s.size, s.mtimeMs], () => null) : null;
  const sample = await sampleKey(inp.shards, { sample: o.sample, holdout: o.holdout, seed: o.seed, textField: o.textField, idField: o.idField, txtSplit: o.txtSplit });
  const targets = inp.targets?.examples.map((e) => [e.benchmark, e.text]);
  // Not the command line, the report flag or the thread count: ranks differ in those.
  const { method, keepBy, label, embedder, aggregate, value, hashing, strict, groupBy, minTokens, lm, lmOrder } = o;
  const lmFile = method === "perplexity" && lm ? await fs.stat(path.resolve(lm.replace(/^(ngram|gguf):/, ""))).then((s) => [s.size, s.mtimeMs], () => null) : null;
  return stepKey({ v: 2, sample, model, targets, keepPlan: inp.keepPlan, method, keepBy, label, embedder, aggregate, value, hashing, strict, groupBy, minTokens, lm, lmFile, lmOrder });
}

/** Steps 2-4, as the executor's preparation, reused when a rerun or another rank finds them done. */
async function prepare(o: ResolvedSelectOptions, inp: SelectInputs, executor: Executor): Promise<Prepared> {
  const key = await prepareKey(o, inp);
  const storage = openStorage(inp.outDir);
  return executor.prepare(
    inp.outDir,
    key,
    async () => {
      const step = await cachedStep(storage, PREPARE_STEP, key, preparedFiles, () => prepareSelection(o, inp, executor));
      if (step.reused) o.log(`sample: reusing the one kept in ${path.join(inp.modelDir, SAMPLE_DOCS_FILE)}; scorer and threshold: reusing model/ (same shards and options)`);
      return step.value;
    },
    o.log,
  );
}

/** Step 5: one "select-score" shard job per shard, on the executor. */
async function scoreShards(o: ResolvedSelectOptions, inp: SelectInputs, prepared: Prepared, executor: Executor): Promise<{ results: ShardResult[]; seconds: number }> {
  const spec: JobSpec<SelectScoreParams> = { kind: "select-score", inputRoot: inp.disc.root, outDir: inp.outDir, params: prepared.params };
  const tasks = inp.shards.map((s, index) => ({ index, shard: s.rel }));
  const bar = createProgress({ label: "score", unit: "docs", total: prepared.corpusRecords, enabled: o.progress });
  const t0 = performance.now();
  try {
    const results = await executor.run(spec, tasks, { onProgress: (n) => bar.tick(n), log: o.log });
    return { results, seconds: (performance.now() - t0) / 1000 };
  } finally {
    bar.stop();
  }
}
