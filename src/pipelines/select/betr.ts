/**
 * BETR's training stage (Mizrahi et al. 2025, steps 3-4): embed the target examples and the
 * sampled documents, score each doc by its best per-example rank (log2(1/rank), max over
 * examples by default), label the top 10% positive and the rest negative, balance the two
 * classes by seeded downsampling, and train the fastText classifier that scores the corpus.
 */
import path from "node:path";
import { betrScoresParallel } from "../../backends/betr-parallel.js";
import type { TargetExample } from "../../targets/index.js";
import { uniform01Int } from "../../text/hash.js";
import { dclmPreprocess } from "../../text/dclm.js";
import { writeFileAtomic } from "../../io/atomic.js";
import { trainFastTextModel, type TrainExample } from "./fasttext-adapter.js";
import { docKey, type SampledDoc } from "./sample.js";

export const POSITIVE_LABEL = "__label__pos";
export const NEGATIVE_LABEL = "__label__neg";
/** BETR labels the top 10% of the ranked sample positive. */
export const POSITIVE_SHARE = 0.1;

export interface BetrTrainOptions {
  embedder?: string;
  aggregate: "max" | "mean";
  value: "log" | "inverse";
  seed: number;
  workers: number;
  modelDir: string;
  cacheDir?: string;
  log: (m: string) => void;
}

export interface BetrTrained {
  model: string;
  benchmarksFile: string;
  embedderId: string;
  dim: number;
  positives: number;
  negatives: number;
  settings: { lr: number; epoch: number; bucket: number };
  /** Best-matching benchmark of each training doc, by index into `train`. */
  bestBenchmark: (string | null)[];
  seconds: { embed: number; rank: number; train: number };
}

/** Positive/negative labels over ranked docs: top `share` positive; ties by sample order. */
export function betrLabels(score: Float64Array, share = POSITIVE_SHARE): Uint8Array {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b] - score[a] || a - b);
  const nPos = Math.max(1, Math.round(n * share));
  const labels = new Uint8Array(n);
  for (let r = 0; r < nPos && r < n; r++) labels[order[r]] = 1;
  return labels;
}

/** Indices of a class-balanced training set: all of the smaller class, a seeded subset of the larger, in seeded order. */
export function balancedTrainingSet(labels: Uint8Array, seed: number): number[] {
  const pos: number[] = [];
  const neg: number[] = [];
  labels.forEach((l, i) => (l ? pos : neg).push(i));
  const byDraw = (salt: number) => (a: number, b: number) => uniform01Int(seed ^ salt, a) - uniform01Int(seed ^ salt, b) || a - b;
  const take = Math.min(pos.length, neg.length);
  const chosen = [...pos.sort(byDraw(0x1111)).slice(0, take), ...neg.sort(byDraw(0x2222)).slice(0, take)];
  return chosen.sort(byDraw(0x3333));
}

export async function trainBetr(targets: TargetExample[], train: SampledDoc[], opts: BetrTrainOptions): Promise<BetrTrained> {
  if (train.length < 2) throw new Error(`BETR needs at least 2 sampled documents, the corpus gave ${train.length}`);
  const t0 = performance.now();
  // Loaded on first use: DSIR and classifier runs never touch the embedders.
  const { createEmbedder } = await import("../../backends/embed/index.js");
  const embedder = await createEmbedder(opts.embedder, { cacheDir: opts.cacheDir, seed: opts.seed, log: opts.log });
  let tEmbed: number;
  let tRank: number;
  let bestBenchmark: (string | null)[];
  let labels: Uint8Array;
  try {
    const texts = train.map((d) => d.text);
    if (embedder.fit) await embedder.fit(texts);
    const te = await embedder.embed(targets.map((t) => t.text));
    const de = await embedder.embed(texts);
    tEmbed = (performance.now() - t0) / 1000;
    opts.log(`embedded ${targets.length} target examples and ${train.length} sampled docs with ${embedder.id} (dim ${embedder.dim}) in ${tEmbed.toFixed(1)}s`);
    const t1 = performance.now();
    const r = await betrScoresParallel(te, targets.length, de, train.length, embedder.dim, { aggregate: opts.aggregate, value: opts.value, workers: opts.workers });
    tRank = (performance.now() - t1) / 1000;
    bestBenchmark = Array.from(r.bestExample, (e) => (e >= 0 ? targets[e].benchmark : null));
    labels = betrLabels(r.score);
  } finally {
    await embedder.close?.();
  }
  const idx = balancedTrainingSet(labels, opts.seed);
  const examples: TrainExample[] = idx.map((i) => ({ label: labels[i] ? POSITIVE_LABEL : NEGATIVE_LABEL, text: dclmPreprocess(train[i].text) }));
  const positives = idx.filter((i) => labels[i]).length;
  const t2 = performance.now();
  const model = path.join(opts.modelDir, "betr-fasttext.bin");
  const settings = await trainFastTextModel(examples, opts.seed, model);
  const tTrain = (performance.now() - t2) / 1000;
  opts.log(`trained the fastText classifier (lr ${settings.lr.toPrecision(3)}, ${settings.epoch} epochs, ${settings.bucket} buckets) on ${positives} positive + ${examples.length - positives} negative docs in ${tTrain.toFixed(1)}s → ${model}`);

  const map: Record<string, string> = {};
  train.forEach((d, i) => {
    const b = bestBenchmark[i];
    if (b) map[docKey(d.shard, d.line)] = b;
  });
  const benchmarksFile = path.join(opts.modelDir, "sample-benchmarks.json");
  await writeFileAtomic(benchmarksFile, JSON.stringify(map) + "\n");
  return {
    model,
    benchmarksFile,
    embedderId: embedder.id,
    dim: embedder.dim,
    positives,
    negatives: examples.length - positives,
    settings,
    bestBenchmark,
    seconds: { embed: tEmbed, rank: tRank, train: tTrain },
  };
}
