/**
 * Library entry point: `import { runSelect, FastText, ... } from "datatailor"`.
 * One line per layer, in the order the layers depend on each other (CLI → pipelines →
 * executors/backends → models and I/O); every command of the CLI is a call into one of these.
 */
export { VERSION } from "./version.js";
// Every pipeline's shard jobs, so executors started from the library know them.
import "./pipelines/tasks.js";

// Errors: one-line messages with the exit code the CLI would use (EXIT).
export { UserError, EXIT } from "./util/errors.js";

// Corpus I/O: shard discovery, streaming readers/writers, bad-input accounting, stats, atomic files.
export * from "./io/index.js";
export type { Storage } from "./io/storage.js";
export { LocalStorage, openStorage, UnsafePathError } from "./io/storage.js";

// fastText-compatible classifier.
export { FastText } from "./backends/fasttext/index.js";
export type { FastTextArgs, LabeledText, TestResult, TrainOptions, TrainProgress } from "./backends/fasttext/index.js";

// select: targets, embedders, the pipeline.
export { loadTargets, supportedShapes } from "./targets/index.js";
export type { TargetBenchmark, TargetExample } from "./targets/index.js";
export { createEmbedder, DEFAULT_EMBEDDER, EMBEDDER_SPECS } from "./backends/embed/index.js";
export type { Embedder, EmbedderOptions } from "./backends/embed/index.js";
export { runSelect, SELECT_DEFAULTS, DEFAULT_CLASSIFIER_LABEL } from "./pipelines/select/index.js";
export type { SelectOptions, SelectResult, SelectSummary, SelectKeep, SelectMethod } from "./pipelines/select/index.js";
// the corpus sample alone: one pass on this thread, or as shard jobs on an executor (same docs)
export { sampleCorpus } from "./pipelines/select/sample.js";
export { sampleWithExecutor } from "./pipelines/select/sample-shard.js";
export type { CorpusSample, SampledDoc } from "./pipelines/select/sample.js";

// decontaminate: the n-gram index, matching, and the pipeline (also select's check of kept documents).
export { runDecontaminate } from "./pipelines/decontaminate/index.js";
export type { DecontaminateOptions, DecontaminateResult } from "./pipelines/decontaminate/index.js";
export { buildContamIndex } from "./models/contam/build.js";
export { ContamIndex } from "./models/contam/index-image.js";
export { Matcher } from "./models/contam/match.js";
export { normalizedWords } from "./models/contam/words.js";
export { loadEvalItems } from "./pipelines/decontaminate/items.js";
export { docHits, DocChecker } from "./pipelines/decontaminate/doc-hits.js";

// Executors for shard jobs (local threads, BullMQ queue, Slurm/Kubernetes ranks) and merge.
export type { Executor, JobSpec, RunOptions, ShardCounts, ShardResult, ShardTask, StorageFactory, TaskContext, TaskHandler } from "./exec/types.js";
// A pipeline of your own registers its shard jobs (and run-level step) here, see exec/handlers.ts.
export { registerTaskKind, registerHandlerModule } from "./exec/handlers.js";
export type { TaskKind, ShardFinalizer, FinalizeContext } from "./exec/handlers.js";
export { cachedStep } from "./exec/step-cache.js";
export { openShardJob } from "./exec/shard-job.js";
export type { ShardJob } from "./exec/shard-job.js";
export { LocalExecutor } from "./exec/local.js";
export { QueueExecutor } from "./exec/queue.js";
export { RankExecutor, resolveRankWorld } from "./exec/rank.js";
export { mergeShards } from "./exec/merge.js";
export type { MergeOutcome, MergeOptions } from "./exec/merge.js";

// fit: scaling laws.
export { LAWS, resolveLaw } from "./models/laws/registry.js";
export type { Law } from "./models/laws/types.js";
export { fitLaw } from "./models/laws/fit.js";
export type { LawFit } from "./models/laws/fit.js";
export { optimalAllocation, allocationDefined } from "./models/laws/allocation.js";
export type { Allocation, ChinchillaParams } from "./models/laws/allocation.js";
export { optimalFilterRate, FILTER_RATE_LAWS } from "./models/laws/filter-rate.js";
export type { FilterPool } from "./models/laws/filter-rate.js";
export { runFit, FIT_DEFAULTS } from "./pipelines/fit/run.js";
export type { FitRun, FitRunOptions, FitSummary, Prediction, HoldoutPoint, PlotData, PlotPoint } from "./pipelines/fit/run.js";

// predict: the pipelines (CV protocol, a card's prediction, a sweep; each writes the report when asked), and their parts.
export { runPredictCv, runPredictCard, runPredictSweep, PREDICT_DEFAULTS } from "./pipelines/predict/index.js";
export type { PredictOptions, PredictCardOptions, PredictSweepOptions, PredictCvResult, PredictCardResult, PredictSweep, CvSummary, CardPrediction, Card, SweepPoint } from "./pipelines/predict/index.js";
export { loadModelDb } from "./pipelines/predict/db.js";
export type { ModelDb } from "./pipelines/predict/db.js";
export { taskData } from "./pipelines/predict/features.js";
export { compareFeatureSets, forwardSelect, resolveFeatures } from "./pipelines/predict/evaluate.js";
export { buildPredictor, predictCard, readCard, sweep } from "./pipelines/predict/card.js";

// language models: one scoring interface over ngram:, gguf:, openai: (docs/lm-backends.md); optional heavy backends.
export { openLanguageModel, parseLmSpec, scoreTexts, summarize, sameTokenizer, assertSameTokenizer, LM_SCHEMES, LM_SPECS } from "./backends/lm/index.js";
export type { LanguageModel, ScoredText, ScoredToken, TokenizerIdentity, ScoreOptions, GenerateOptions, OpenLmOptions, ScoreTextsOptions, TextScore } from "./backends/lm/index.js";
export { installBackend, loadOptional, backendStatus, BACKENDS } from "./util/optional.js";

// adapt: distances to the pretraining data, token-level attribution of a pilot, sweeps (docs/adapt.md).
export { runSimilarity } from "./pipelines/adapt/similarity.js";
export type { SimilarityOptions, SimilarityResult } from "./pipelines/adapt/similarity.js";
export { runTokens } from "./pipelines/adapt/tokens.js";
export type { TokensOptions, TokensResult } from "./pipelines/adapt/tokens.js";
export { runSweep } from "./pipelines/adapt/sweep.js";
export type { SweepOptions, SweepResult } from "./pipelines/adapt/sweep.js";
export { gaussianMmd2 } from "./models/distance/mmd.js";
export { medianPairwiseDistance } from "./models/distance/bandwidth.js";
export { mmdPermutationTest } from "./models/distance/permutation.js";
export { frechetDistance, FRECHET_EPS } from "./models/distance/frechet.js";
export { nearestNeighbourCoverage } from "./models/distance/coverage.js";
export { attributeTokens } from "./models/adapt/attribution.js";
export type { Attribution, TokenDelta, ClassDelta } from "./models/adapt/attribution.js";
export { DEFAULT_THRESHOLDS, calibrateThresholds, riskOf } from "./models/adapt/verdict.js";
export type { Risk, Thresholds } from "./models/adapt/verdict.js";
export { writeAdaptReport } from "./report/adapt-report.js";

// tune: FT / FTICL training sets, leakage check, ROUGE-L, the in/out-of-domain matrix (docs/tune.md).
export { runBuild } from "./pipelines/tune/build.js";
export type { BuildOptions, BuildSummary } from "./pipelines/tune/build.js";
export { buildExample, demoContext } from "./pipelines/tune/construct.js";
export { PROMPT_MAPS, TASKS, TASK_LABELS, parseTemplate, renderTemplate, taskTemplate } from "./pipelines/tune/templates.js";
export type { TaskName, Template } from "./pipelines/tune/templates.js";
export { findLeaks } from "./pipelines/tune/leaks.js";
export type { Leak, LeakKind } from "./pipelines/tune/leaks.js";
export { runEval, EVAL_DEFAULTS } from "./pipelines/tune/eval.js";
export type { EvalOptions, EvalResult, EvalCell } from "./pipelines/tune/eval.js";
export { scorePredictions } from "./pipelines/tune/score.js";
export { pairedBootstrap } from "./pipelines/tune/paired-bootstrap.js";
export { rougeL, rougeTokens, lcsLength } from "./models/rouge/index.js";
export type { RougeScore } from "./models/rouge/index.js";
export { writeTuneReport } from "./report/tune-report.js";
