/**
 * The two things select needs from the fastText backend (engineer A's `FastText`): train a
 * binary classifier with BETR's settings and score one text. Kept in one file so the rest of
 * the pipeline does not depend on the backend's exact surface.
 */
import { FastText } from "../../backends/fasttext/index.js";
import { publishSharedFile, sharedFileBytes } from "../../exec/shared-files.js";

export interface FastTextModel {
  readonly labels: string[];
  /** p(label | text); `text` must be a single line (callers apply DCLM's preprocessing). */
  probability(text: string, label: string): number;
}

const cache = new Map<string, Promise<FastTextModel>>();

/**
 * Loads a model once per thread (a thread scores many shards with it). The file is read once
 * per process into shared memory and its input matrix, most of its size, is used in place:
 * the coordinator and N scoring threads hold one copy, not N + 1.
 */
export function loadFastTextModel(file: string): Promise<FastTextModel> {
  let p = cache.get(file);
  if (!p) {
    const load = FastText.alignedPad(file).then(async (pad) => FastText.fromSharedBytes(await sharedFileBytes(file, pad), file));
    p = load.then((ft) => ({
      labels: ft.labels,
      probability: (text: string, label: string) => ft.probability(text, label),
    }));
    cache.set(file, p);
    p.catch(() => cache.delete(file));
  }
  return p;
}

/** BETR's classifier settings (Mizrahi et al. 2025, appendix): wordNgrams 2, lr 0.03, dim 128, ws 10, minCount 5, epoch 5. */
export const BETR_FASTTEXT_ARGS = { wordNgrams: 2, lr: 0.03, dim: 128, ws: 10, minCount: 5, epoch: 5, loss: "softmax", thread: 1 } as const;

export interface TrainExample {
  label: string;
  text: string;
}

/**
 * Word-bigram hash buckets: fastText's 2M default costs 1 GB of float32 rows at dim 128 (and
 * every scoring thread loads the model), yet a training set of T tokens has fewer than T
 * distinct bigrams. Twice that, within [100k, 2M], keeps collisions as rare as fastText's
 * default does on the data actually seen.
 */
export function bucketsFor(examples: TrainExample[]): number {
  let tokens = 0;
  for (const e of examples) tokens += e.text.length / 5; // ~5 characters per token, no need to count exactly
  return Math.round(Math.min(2_000_000, Math.max(100_000, 2 * tokens)));
}

/**
 * The paper's lr 0.03 and 5 epochs assume its balanced training set of ~20,000 docs (10% of a
 * 100k sample, twice). On a few hundred docs those settings leave every score at 0.500±0.001
 * (measured with Debian fastText on the demo sample), so the threshold would sort docs by
 * noise. Below 20,000 docs, lr and epochs grow in proportion (lr ≤ 0.5, epochs ≤ 25, fastText's
 * small-data range); at the paper's scale and above they are the paper's.
 */
export function trainSettingsFor(n: number): { lr: number; epoch: number } {
  const scale = 20_000 / Math.max(1, n);
  if (scale <= 1) return { lr: BETR_FASTTEXT_ARGS.lr, epoch: BETR_FASTTEXT_ARGS.epoch };
  return { lr: Math.min(0.5, BETR_FASTTEXT_ARGS.lr * scale), epoch: Math.min(25, Math.round(BETR_FASTTEXT_ARGS.epoch * scale)) };
}

/** Trains on single-line texts and writes the .bin to `outFile`; deterministic for a seed. */
export async function trainFastTextModel(examples: TrainExample[], seed: number, outFile: string): Promise<{ lr: number; epoch: number; bucket: number }> {
  const { lr, epoch } = trainSettingsFor(examples.length);
  const bucket = bucketsFor(examples);
  const ft = await FastText.train({ ...BETR_FASTTEXT_ARGS, lr, epoch, bucket, seed }, examples.map((e) => ({ labels: [e.label], text: e.text })));
  await ft.saveFile(outFile);
  cache.delete(outFile);
  // the trained model's memory is the file's image: scoring uses it instead of reading the file
  const img = ft.model.image;
  if (img) await publishSharedFile(outFile, img.pad, img.buffer);
  return { lr, epoch, bucket };
}
