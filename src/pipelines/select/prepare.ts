/**
 * The steps of `select` before the corpus-scale pass: draw the sample, fit the scorer, set the
 * threshold on the held-out sample. Their outcome (the scoring job's parameters and what the
 * run-level step needs) is recorded as one cached step, so a rerun over the same shards and
 * options, and the other ranks of an array job, reuse it instead of reading the corpus and
 * training again.
 */
import { promises as fs } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import type { Discovery, Shard } from "../../io/shards.js";
import { LocalExecutor } from "../../exec/local.js";
import type { Executor } from "../../exec/types.js";
import type { TargetBenchmark, TargetExample } from "../../targets/index.js";
import { maxOf, minOf } from "../../util/array.js";
import { UserError, usageError } from "../../util/errors.js";
import { createProgress } from "../../util/progress.js";
import { redactUrl } from "../../util/redact.js";
import { trainBetr, POSITIVE_LABEL } from "./betr.js";
import { LEXICAL_DEFAULTS, trainLexical } from "./lexical.js";
import { fitMooreLewis, perplexityScorer } from "./lm-select.js";
import { fitDsir, DSIR_BUCKETS } from "./dsir.js";
import { DSIR_MIN_TOKENS } from "../../models/dsir/index.js";
import { BETR_FASTTEXT_ARGS } from "./fasttext-adapter.js";
import type { SelectRunInfo, Throughput } from "./finalize.js";
import type { KeepPlan } from "./keep.js";
import { selectionKl } from "./kl.js";
import { docKey, type CorpusSample } from "./sample.js";
import { sampleWithExecutor } from "./sample-shard.js";
import { loadSample, SAMPLE_DOCS_FILE, sampleKey, saveSample } from "./sample-cache.js";
import { absoluteScorer, loadScorer, scoreAll, scorerFiles, tieKey, type Scorer, type ScorerSpec } from "./scorer.js";
import type { SelectScoreParams } from "./score-shard.js";
import { absoluteThreshold, keeps, thresholdForFraction, type Threshold } from "./threshold.js";
import { countBins, countThreshold } from "./count-shard.js";
import type { ResolvedSelectOptions } from "./options.js";

export const HIST_BINS = 40;
/** Below this many positive training documents the report warns that the classifier is noisy. */
const MIN_POSITIVES = 100;
const NEAR_K = 6;
const NEAR_CHARS = 600;

/** What the steps before scoring hand on: the scoring job's parameters and the run's record. */
export interface Prepared {
  params: SelectScoreParams;
  info: SelectRunInfo;
  /** Corpus records the sample pass read (docs + bad lines): the scoring bar's total. */
  corpusRecords: number;
}

export interface SelectInputs {
  outDir: string;
  modelDir: string;
  disc: Discovery;
  shards: Shard[];
  targets?: { examples: TargetExample[]; benchmarks: TargetBenchmark[]; warnings?: string[] };
  keepPlan: KeepPlan;
}

/** Step 2: the seeded sample and held-out sample, kept in model/ for reruns. */
export async function drawSample(o: ResolvedSelectOptions, inp: SelectInputs, executor: Executor): Promise<{ sample: CorpusSample; throughput: Throughput }> {
  const t0 = performance.now();
  const sampleOpts = { sample: o.sample, holdout: o.holdout, seed: o.seed, textField: o.textField, idField: o.idField, txtSplit: o.txtSplit };
  const key = await sampleKey(inp.shards, sampleOpts);
  let sample = await loadSample(inp.modelDir, key);
  const reused = sample !== undefined;
  if (sample) o.log(`sample: reusing the one kept in ${path.join(inp.modelDir, SAMPLE_DOCS_FILE)} (same shards and sampling options)`);
  else {
    // Shard jobs on the run's executor (both rounds read every shard). An executor that runs
    // only part of the shards (an array-job rank) samples on this machine's threads instead, in
    // a directory of its own: a local run sweeps its directory's temporaries at the end.
    const local = executor.partial ? new LocalExecutor({ workers: o.workers }) : undefined;
    const bar = createProgress({ label: "sample (2 passes)", unit: "docs", enabled: o.progress });
    const workDir = path.join(inp.outDir, "sampling", local ? `${hostname()}-${process.pid}` : "run");
    try {
      sample = await sampleWithExecutor(local ?? executor, inp.disc.root, inp.shards, workDir, { ...sampleOpts, strict: o.strict, onDocs: (n) => bar.tick(n) });
    } finally {
      bar.stop();
      await local?.close();
    }
    await saveSample(inp.modelDir, key, sample);
    await fs.rm(workDir, { recursive: true, force: true });
    await fs.rmdir(path.dirname(workDir)).catch(() => undefined); // another process may still be sampling
  }
  const seconds = (performance.now() - t0) / 1000;
  o.log(`read ${sample.docs} docs (${sample.tokens} tokens) from ${inp.shards.length} shard(s); sample ${sample.train.length}, held out ${sample.holdout.length}${sample.rejected ? `; ${sample.rejected} bad input lines` : ""}`);
  if (sample.docs === 0) throw new UserError("the corpus holds no readable documents");
  return { sample, throughput: [{ stage: reused ? "sample (kept from an earlier run)" : "sample (read corpus)", docs: sample.docs, seconds }] };
}

interface FittedScorer {
  spec: ScorerSpec;
  /** Positive training documents of a trained classifier (BETR). */
  positives?: number;
  /** BETR: sampled doc → best-matching benchmark, relative to the output directory. */
  benchmarks?: string;
  details: Record<string, string | number>;
}

/** Step 3: the scorer — BETR's classifier, DSIR's weights, or the given fastText model. */
export async function fitScorer(o: ResolvedSelectOptions, inp: SelectInputs, sample: CorpusSample, throughput: Throughput): Promise<FittedScorer> {
  const { outDir, modelDir, targets } = inp;
  if (o.method === "betr" && (o.embedder === undefined || o.embedder === "lexical")) {
    const bar = createProgress({ label: "train classifier", unit: "folds", total: LEXICAL_DEFAULTS.folds, enabled: o.progress });
    const lex = await trainLexical(targets!.examples, sample.train, { seed: o.seed, modelDir, aggregate: o.aggregate === "max" ? "max" : "sum", log: o.log, threads: o.workers, onFold: () => bar.tick() }).finally(() => bar.stop());
    const D = LEXICAL_DEFAULTS;
    throughput.push({ stage: "tf-idf vectors of targets + sample", docs: sample.train.length + targets!.examples.length, seconds: lex.seconds.features });
    throughput.push({ stage: "rank (BETR scores)", docs: sample.train.length, seconds: lex.seconds.rank });
    throughput.push({ stage: `train ${lex.folds} cross-fitted classifiers`, docs: sample.train.length, seconds: lex.seconds.train });
    return {
      spec: { kind: "linear", model: path.relative(outDir, lex.model) },
      positives: lex.positives,
      details: {
        embedder: `lexical: sublinear tf-idf of hashed content words (${D.buckets} buckets, English stop words dropped, idf from the sample)`,
        aggregate: o.aggregate === "max" ? "max log2(1/rank)" : `Σ 1/rank over each example's top ${D.topK}`,
        "classifier positives": lex.positives,
        "classifier negatives": lex.negatives,
        classifier: `logistic regression on the same tf-idf vectors, C ${lex.C}, balanced classes, ${lex.folds}-fold cross-fitted (each document scored by the model that did not train on it)`,
      },
    };
  }
  if (o.method === "betr") {
    // Dense embeddings keep BETR's own aggregation (max unless mean is asked for).
    const betr = await trainBetr(targets!.examples, sample.train, { embedder: o.embedder, aggregate: o.aggregate === "mean" ? "mean" : "max", value: o.value, seed: o.seed, workers: o.workers, modelDir, cacheDir: path.join(outDir, "cache"), log: o.log });
    const a = BETR_FASTTEXT_ARGS;
    const classifier = `fastText wordNgrams ${a.wordNgrams}, dim ${a.dim}, ws ${a.ws}, minCount ${a.minCount}, lr ${betr.settings.lr.toPrecision(3)}, epoch ${betr.settings.epoch}, bucket ${betr.settings.bucket} (paper: lr ${a.lr}, epoch ${a.epoch} at >= 20k training docs)`;
    throughput.push({ stage: "embed targets + sample", docs: sample.train.length + targets!.examples.length, seconds: betr.seconds.embed });
    throughput.push({ stage: "rank (BETR scores)", docs: sample.train.length, seconds: betr.seconds.rank, workers: o.workers });
    throughput.push({ stage: "train classifier", docs: betr.positives + betr.negatives, seconds: betr.seconds.train });
    return {
      spec: { kind: "fasttext", model: path.relative(outDir, betr.model), label: POSITIVE_LABEL },
      positives: betr.positives,
      benchmarks: path.relative(outDir, betr.benchmarksFile),
      details: { embedder: betr.embedderId, "embedding dim": betr.dim, aggregate: o.aggregate, value: o.value, "classifier positives": betr.positives, "classifier negatives": betr.negatives, classifier },
    };
  }
  if (o.method === "perplexity") {
    const spec = await perplexityScorer(o.lm, { workers: o.workers });
    if (spec.kind !== "perplexity") throw new Error("perplexityScorer returned another kind");
    const ngram = spec.scheme === undefined;
    return {
      spec,
      details: {
        "language model": redactUrl(o.lm!),
        normalisation: spec.normalize ? "CCNet text_normalizer.normalize (lower-case, accents stripped, digits → 0, punctuation mapped)" : "none: the model reads the text as written",
        score: `mean log10 p per ${ngram ? "word incl. </s> of each line" : "model token of the document"} (perplexity = 10^-score); highest kept`,
      },
    };
  }
  if (o.method === "moore-lewis") {
    const t = performance.now();
    const ml = await fitMooreLewis(targets!.examples.map((e) => e.text), sample.train, { order: o.lmOrder ?? 3, modelDir, outDir });
    throughput.push({ stage: "train target + corpus n-gram LMs", docs: targets!.examples.length + ml.corpusDocs, seconds: (performance.now() - t) / 1000 });
    return {
      spec: ml.spec,
      details: { "n-gram order": o.lmOrder ?? 3, "target LM tokens": ml.targetTokens, "corpus LM tokens": `${ml.corpusTokens} (${ml.corpusDocs} sampled docs)`, score: "mean per-word log10 p_target − log10 p_corpus (Moore–Lewis cross-entropy difference, negated); highest kept" },
    };
  }
  if (o.method === "dsir") {
    const t = performance.now();
    // The raw model sees the held-out docs too: when the corpus is small they are a large part
    // of it, and docs the raw model has seen score lower than unseen ones (their own n-grams
    // raise p_raw), so fitting on the sample alone would bias the held-out threshold.
    const rawTexts = [...sample.train, ...sample.holdout].map((d) => d.text);
    const minTokens = o.minTokens ?? DSIR_MIN_TOKENS;
    const fit = await fitDsir(targets!.examples.map((e) => e.text), rawTexts, { modelDir, hashing: o.hashing, minTokens });
    throughput.push({ stage: "fit DSIR bag models", docs: sample.train.length + targets!.examples.length, seconds: (performance.now() - t) / 1000 });
    // Gumbel noise makes the threshold a Gumbel top-k in expectation (DSIR's resampling).
    return {
      spec: { kind: "dsir", weights: path.relative(outDir, fit.weightsFile), gumbelSeed: o.seed },
      details: { hashing: o.hashing, buckets: DSIR_BUCKETS, "target tokens": fit.targetTokens, "raw tokens": fit.rawTokens, "min tokens": minTokens },
    };
  }
  const model = path.resolve(o.model!);
  await fs.access(model).catch(() => {
    throw new UserError(`${o.model}: no such model file`);
  });
  return { spec: { kind: "fasttext", model, label: o.label }, details: { model, label: o.label, preprocessing: "DCLM: lines joined with spaces" } };
}

/** Documents per call to a language model behind a backend: the progress and cancellation grain. */
const LM_BATCH = 64;

/** Scores for the threshold; a language model behind a backend scores in batches, with progress, and is released after. */
async function scoreDocs(scorer: Scorer, texts: string[], keys: string[], label: string, enabled: boolean | undefined): Promise<Float64Array> {
  if (!scorer.batch) return scoreAll(scorer, texts, keys);
  const out = new Float64Array(texts.length);
  const progress = createProgress({ label, unit: "docs", total: texts.length, enabled });
  try {
    for (let s = 0; s < texts.length; s += LM_BATCH) {
      out.set(await scorer.scoreBatch(texts.slice(s, s + LM_BATCH)), s);
      progress.tick(Math.min(LM_BATCH, texts.length - s));
    }
  } finally {
    progress.stop();
    await scorer.close();
  }
  return out;
}

/**
 * Step 4: the threshold, the score histogram's range and the KL estimate. When the sample and
 * held-out sample hold the whole corpus (corpora up to --sample + --holdout docs), every
 * document is scored here exactly as the shard jobs will score it, so the threshold keeps
 * exactly the requested share; otherwise it is set on the held-out sample, a uniform sample of
 * the corpus (relative error about 1/√(kept held-out docs)).
 */
export async function setThreshold(o: ResolvedSelectOptions, inp: SelectInputs, sample: CorpusSample, scorerSpec: ScorerSpec, throughput: Throughput, executor?: Executor) {
  const t0 = performance.now();
  const scorer = await loadScorer(scorerSpec, inp.outDir);
  const whole = sample.train.length + sample.holdout.length === sample.docs;
  const docs = whole ? [...sample.train, ...sample.holdout] : sample.holdout;
  const keys = docs.map((d) => docKey(d.shard, d.line));
  const scores = await scoreDocs(scorer, docs.map((d) => d.text), keys, whole ? "score the corpus" : "score held-out docs", o.progress);
  const ties = Float64Array.from(keys, (key) => tieKey(o.seed, key));
  const weights = Float64Array.from(docs, (d) => (o.keepBy === "tokens" ? d.tokens : 1));
  throughput.push({ stage: whole ? "score the corpus (threshold)" : "score held-out sample", docs: docs.length, seconds: (performance.now() - t0) / 1000 });
  let threshold: Threshold;
  let counted = false;
  if (inp.keepPlan.absolute !== undefined) threshold = absoluteThreshold(inp.keepPlan.absolute);
  else {
    if (docs.length === 0) throw usageError("no held-out documents to set the threshold on (raise --holdout or use --threshold)");
    threshold = thresholdForFraction(scores, ties, weights, inp.keepPlan.fraction).threshold;
    if (!whole && executor && inp.keepPlan.fraction < 1) {
      threshold = await countPass(o, inp, scorerSpec, scores, throughput, executor);
      counted = true;
    }
  }
  o.log(`threshold: score ${threshold.score === Infinity ? "∞ (keep nothing)" : threshold.score.toPrecision(6)} (${scorer.describe}; set on ${whole ? `all ${docs.length} docs` : counted ? "the whole corpus by the count pass" : `${docs.length} held-out docs`})`);
  const kept = Array.from(scores, (s, i) => keeps(threshold, s, ties[i]!));
  const kl = inp.targets && docs.length > 0 ? selectionKl(inp.targets.examples, docs.map((d) => d.text), kept) : undefined;
  const finite = Array.from(scores).filter((s) => Number.isFinite(s));
  const histogram =
    scorerSpec.kind !== "dsir" ? { min: 0, max: 1, bins: HIST_BINS } : { min: finite.length ? minOf(finite) : 0, max: finite.length ? maxOf(finite) : 1, bins: HIST_BINS };
  if (histogram.max <= histogram.min) histogram.max = histogram.min + 1;
  // CCNet's head / middle / tail: perplexity at or below the 30th and 60th percentiles.
  const ppl = scorerSpec.kind === "perplexity" ? finite.map((s) => 10 ** -s).sort((a, b) => a - b) : [];
  const ccnetBuckets: [number, number] | undefined = ppl.length ? [ppl[Math.floor(0.3 * (ppl.length - 1))]!, ppl[Math.floor(0.6 * (ppl.length - 1))]!] : undefined;
  return { threshold, kl, histogram, ccnetBuckets, thresholdOn: whole || counted ? ("corpus" as const) : ("holdout" as const), thresholdDocs: docs.length };
}

/** The exact threshold of a corpus larger than the sample: every shard scored once into fine bins (count-shard.ts). */
async function countPass(o: ResolvedSelectOptions, inp: SelectInputs, scorerSpec: ScorerSpec, heldOut: Float64Array, throughput: Throughput, executor: Executor): Promise<Threshold> {
  const t0 = performance.now();
  const local = executor.partial ? new LocalExecutor({ workers: o.workers }) : undefined;
  const workDir = path.join(inp.outDir, "counting", local ? `${hostname()}-${process.pid}` : "run");
  const bar = createProgress({ label: "count (exact keep rate)", unit: "docs", enabled: o.progress });
  try {
    // The job's output directory is a working one: model paths resolve against the run's.
    const scorer = absoluteScorer(scorerSpec, inp.outDir);
    const params = { scorer, bins: countBins(heldOut, scorerSpec.kind !== "dsir"), keepBy: o.keepBy, textField: o.textField, idField: o.idField, txtSplit: o.txtSplit };
    const tasks = inp.shards.map((s, index) => ({ index, shard: s.rel }));
    const { threshold, expected } = await countThreshold(local ?? executor, inp.disc.root, workDir, tasks, params, inp.keepPlan.fraction, (n) => bar.tick(n));
    o.log(`count pass: threshold ${threshold.score.toPrecision(6)} keeps ${(expected * 100).toFixed(3)}% of ${o.keepBy} (asked ${(inp.keepPlan.fraction * 100).toFixed(3)}%)`);
    throughput.push({ stage: "count pass (exact keep rate)", docs: 0, seconds: (performance.now() - t0) / 1000, workers: o.workers });
    return threshold;
  } finally {
    bar.stop();
    await local?.close();
    await fs.rm(workDir, { recursive: true, force: true });
    await fs.rmdir(path.dirname(workDir)).catch(() => undefined);
  }
}

/** Steps 2-4 together: what scoring and the run-level step need. */
export async function prepareSelection(o: ResolvedSelectOptions, inp: SelectInputs, executor: Executor): Promise<Prepared> {
  const { sample, throughput } = await drawSample(o, inp, executor);
  const scorer = await fitScorer(o, inp, sample, throughput);
  const { threshold, kl, histogram, thresholdOn, ccnetBuckets } = await setThreshold(o, inp, sample, scorer.spec, throughput, executor);
  const warnings = [...(inp.targets?.warnings ?? [])];
  if (scorer.positives !== undefined && scorer.positives < MIN_POSITIVES)
    warnings.push(`the classifier learned from only ${scorer.positives} positive documents (fewer than ~${MIN_POSITIVES}; BETR labels the top 10% of the ${sample.train.length} sampled documents): its scores are noisy, so a larger corpus sample (--sample) gives a steadier selection`);
  for (const w of warnings) o.log(`warning: ${w}`);
  const params: SelectScoreParams = {
    scorer: scorer.spec,
    threshold,
    tieSeed: o.seed,
    textField: o.textField,
    idField: o.idField,
    txtSplit: o.txtSplit,
    strict: o.strict,
    benchmarks: scorer.benchmarks,
    histogram,
    nearK: NEAR_K,
    textChars: NEAR_CHARS,
    groupBy: o.groupBy,
    ccnetBuckets,
  };
  const info: SelectRunInfo = {
    method: o.method,
    seed: o.seed,
    keepBy: o.keepBy,
    keepPlan: inp.keepPlan,
    threshold,
    scorer: scorer.spec,
    histogram,
    nearK: NEAR_K,
    details: { shards: inp.shards.length, "sampled docs": sample.train.length, "held-out docs": sample.holdout.length, ...scorer.details },
    throughput,
    kl,
    benchmarks: inp.targets?.benchmarks.map((b) => ({ name: b.name, used: b.used })),
    holdoutDocs: sample.holdout.length,
    thresholdOn,
    groupBy: o.groupBy,
    warnings,
    workers: o.workers,
    report: o.report,
    command: o.command,
  };
  return { params, info, corpusRecords: sample.docs + sample.rejected };
}

/** Output-relative files a prepared selection refers to (a rerun reuses it only while they are intact). */
export function preparedFiles(p: Prepared): string[] {
  const files = [`model/${SAMPLE_DOCS_FILE}`, "model/sample.json"];
  for (const f of scorerFiles(p.params.scorer)) if (!path.isAbsolute(f)) files.push(f);
  if (p.params.benchmarks) files.push(p.params.benchmarks);
  return files;
}
