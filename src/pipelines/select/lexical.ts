/**
 * BETR's training stage on lexical features, select's default (Mizrahi et al. 2025, steps 3-4,
 * with the choices measured in docs/select.md): sublinear TF-IDF vectors of the target examples
 * and the sampled documents (hashed content words, stop words dropped, idf from the sample);
 * each document credited with Σ 1/rank over the examples that rank it in their top K; the top
 * 10% labelled positive; an L2 logistic regression (C = 0.3, balanced classes) on the same
 * vectors. The regression is cross-fitted: the sample is split into `folds` by a seeded hash of
 * each document's key, fold f's model is trained on the other folds, and every document of the
 * corpus — sampled or not — is scored by the model of its own fold. So no document is scored by
 * a model that saw it, and sampled documents score like the rest (the threshold means the same
 * for both).
 */
import path from "node:path";
import { lexicalRankScores, type RankAggregate } from "../../models/lexical/rank.js";
import { DEFAULT_BUCKETS, TfidfFeaturizer } from "../../models/lexical/tfidf.js";
import type { TargetExample } from "../../targets/index.js";
import { uniform01, uniform01Int } from "../../text/hash.js";
import { writeLinearModel } from "./linear-model.js";
import { fitFolds, type FoldJob } from "./lexical-folds.js";
import { docKey, type SampledDoc } from "./sample.js";

/** The measured defaults (docs/select.md, "What we tried"). */
export const LEXICAL_DEFAULTS = { C: 0.3, folds: 5, topK: 1000, positiveShare: 0.1, aggregate: "sum" as RankAggregate, buckets: DEFAULT_BUCKETS, maxTrainDocs: 40_000 };
const FOLD_SALT = 0x5f3759df;

/** The cross-fitting fold of a document, from its "<shard>:<line>" key. */
export function foldOf(seed: number, key: string, folds: number): number {
  return Math.min(folds - 1, Math.floor(uniform01((seed ^ FOLD_SALT) >>> 0, key) * folds));
}

export interface LexicalTrainOptions {
  seed: number;
  modelDir: string;
  aggregate?: RankAggregate;
  log: (m: string) => void;
  /** Threads for the cross-fitted models (default 1); the models are the same for any count. */
  threads?: number;
  /** Called as each cross-fitted model is trained (for a progress bar). */
  onFold?: () => void;
}

export interface LexicalTrained {
  model: string;
  positives: number;
  negatives: number;
  folds: number;
  C: number;
  /** Best-matching benchmark of each sampled doc (by index into `train`), from the ranking stage. */
  bestBenchmark: (string | null)[];
  seconds: { features: number; rank: number; train: number };
}

/** Top `share` of the ranked docs positive (ties by sample order); docs no example credited stay negative. */
export function rankLabels(score: Float64Array, share: number, credited: (i: number) => boolean): Uint8Array {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b]! - score[a]! || a - b);
  const labels = new Uint8Array(n);
  const nPos = Math.max(1, Math.round(n * share));
  for (let r = 0; r < nPos && r < n; r++) if (credited(order[r]!)) labels[order[r]!] = 1;
  return labels;
}

export async function trainLexical(targets: TargetExample[], train: SampledDoc[], opts: LexicalTrainOptions): Promise<LexicalTrained> {
  const D = LEXICAL_DEFAULTS;
  if (train.length < 2 * D.folds) throw new RangeError(`BETR needs at least ${2 * D.folds} sampled documents, the corpus gave ${train.length}`);
  const t0 = performance.now();
  const fz = new TfidfFeaturizer(D.buckets);
  fz.fit(train.map((d) => d.text));
  const docs = fz.matrix(train.map((d) => d.text));
  const tm = fz.matrix(targets.map((t) => t.text));
  const tFeatures = (performance.now() - t0) / 1000;

  const t1 = performance.now();
  const aggregate = opts.aggregate ?? D.aggregate;
  const ranked = lexicalRankScores(tm, docs, D.buckets, { aggregate, topK: D.topK });
  const labels = rankLabels(ranked.score, D.positiveShare, (i) => ranked.bestRank[i]! > 0);
  const bestBenchmark = Array.from(ranked.bestExample, (e) => (e >= 0 ? targets[e]!.benchmark : null));
  const tRank = (performance.now() - t1) / 1000;
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i]!;
  if (positives === 0) throw new RangeError("no sampled document shares a content word with the target examples: nothing to learn what they look like from");
  opts.log(`ranked ${train.length} sampled docs against ${targets.length} target examples (Σ 1/rank over each example's top ${D.topK}): ${positives} positive`);

  const t2 = performance.now();
  const fold = Int32Array.from(train, (d) => foldOf(opts.seed, docKey(d.shard, d.line), D.folds));
  const job: FoldJob = { rows: [], labels: [] };
  for (let f = 0; f < D.folds; f++) {
    let rows: number[] = [];
    for (let i = 0; i < train.length; i++) if (fold[i] !== f) rows.push(i);
    // Past maxTrainDocs, a seeded subset of the negatives (all positives stay; classes are re-weighted anyway).
    if (rows.length > D.maxTrainDocs) {
      const pos = rows.filter((i) => labels[i]);
      const neg = rows.filter((i) => !labels[i]).sort((a, b) => uniform01Int(opts.seed ^ f, a) - uniform01Int(opts.seed ^ f, b));
      rows = [...pos, ...neg.slice(0, Math.max(pos.length, D.maxTrainDocs - pos.length))].sort((a, b) => a - b);
    }
    const y = Uint8Array.from(rows, (i) => labels[i]!);
    if (!(y.includes(1) && y.includes(0))) throw new RangeError(`cross-fitting fold ${f + 1} of ${D.folds} holds only one class (${positives} positives in ${train.length} sampled docs): give more corpus documents or more target examples`);
    job.rows.push(Int32Array.from(rows));
    job.labels.push(y);
  }
  const { weights, biases } = await fitFolds(docs, job, D.buckets, D.C, opts.threads ?? 1, opts.onFold);
  const tTrain = (performance.now() - t2) / 1000;
  opts.log(`trained ${D.folds} cross-fitted logistic regressions (C ${D.C}) on ${train.length} sampled docs in ${tTrain.toFixed(1)}s`);

  const model = path.join(opts.modelDir, "betr-linear.bin");
  await writeLinearModel(model, {
    header: { buckets: D.buckets, folds: D.folds, foldSeed: opts.seed, biases, C: D.C, examples: targets.map((t) => ({ benchmark: t.benchmark, index: t.index })) },
    idf: fz.idf!,
    weights,
    targets: tm,
  });
  return { model, positives, negatives: train.length - positives, folds: D.folds, C: D.C, bestBenchmark, seconds: { features: tFeatures, rank: tRank, train: tTrain } };
}
