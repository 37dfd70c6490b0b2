/**
 * Library entry point: `import { runSelect, FastText, ... } from "datatailor"`.
 * One line per layer, in the order the layers depend on each other (CLI → pipelines →
 * executors/backends → models and I/O); every command of the CLI is a call into one of these.
 */
export { VERSION } from "./version.js";

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
export { runSelect } from "./pipelines/select/index.js";
export type { SelectOptions, SelectResult } from "./pipelines/select/index.js";
// the corpus sample alone: one pass on this thread, or as shard jobs on an executor (same docs)
export { sampleCorpus } from "./pipelines/select/sample.js";
export { sampleWithExecutor } from "./pipelines/select/sample-shard.js";
export type { CorpusSample, SampledDoc } from "./pipelines/select/sample.js";

// Executors for shard jobs (local threads, BullMQ queue, Slurm/Kubernetes ranks) and merge.
export type { Executor, JobSpec, ShardResult, ShardTask, TaskHandler } from "./exec/types.js";
export { LocalExecutor } from "./exec/local.js";
export { QueueExecutor } from "./exec/queue.js";
export { RankExecutor, resolveRankWorld } from "./exec/rank.js";
export { mergeShards } from "./exec/merge.js";

// fit: scaling laws.
export { LAWS, resolveLaw } from "./models/laws/registry.js";
export { fitLaw } from "./models/laws/fit.js";
export { optimalAllocation } from "./models/laws/allocation.js";
export { optimalFilterRate, FILTER_RATE_LAWS } from "./models/laws/filter-rate.js";
export type { FilterPool } from "./models/laws/filter-rate.js";
export { runFit } from "./pipelines/fit/run.js";
export type { FitRun, FitRunOptions, FitSummary } from "./pipelines/fit/run.js";

// predict: model databases, cross-validation, card predictions and sweeps.
export { loadModelDb } from "./pipelines/predict/db.js";
export { taskData } from "./pipelines/predict/features.js";
export { compareFeatureSets, forwardSelect, resolveFeatures } from "./pipelines/predict/evaluate.js";
export { buildPredictor, predictCard, readCard, sweep } from "./pipelines/predict/card.js";

// language models: one scoring interface over ngram:, gguf:, openai: (docs/lm-backends.md); optional heavy backends.
export { openLanguageModel, parseLmSpec, scoreTexts, summarize, sameTokenizer, assertSameTokenizer, LM_SCHEMES, LM_SPECS } from "./backends/lm/index.js";
export type { LanguageModel, ScoredText, ScoredToken, TokenizerIdentity, ScoreOptions, GenerateOptions, OpenLmOptions, ScoreTextsOptions, TextScore } from "./backends/lm/index.js";
export { installBackend, loadOptional, backendStatus, BACKENDS } from "./backends/optional.js";
