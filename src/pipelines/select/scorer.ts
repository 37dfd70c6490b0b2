/**
 * One document scorer for both places a score is computed: the coordinator (held-out sample,
 * for the threshold) and the shard tasks (whole corpus). Using the same code in both is what
 * makes the held-out threshold mean the same thing at corpus scale.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { dsirLogWeight, gumbelFromUniform } from "../../models/dsir/index.js";
import { uniform01 } from "../../text/hash.js";
import { NgramHasher, type NgramHashMode } from "../../text/ngram-hash.js";
import { dclmPreprocess } from "../../text/dclm.js";
import { loadFastTextModel, type FastTextModel } from "./fasttext-adapter.js";

export type ScorerSpec =
  | {
      kind: "fasttext";
      /** fastText .bin model: absolute, or relative to the output directory (models select trained). */
      model: string;
      /** Positive label, e.g. "__label__pos" (BETR) or "__label__hq" (DCLM). */
      label: string;
    }
  | {
      kind: "dsir";
      /** Weights JSON written by fitDsir, relative to the output directory (or absolute). */
      weights: string;
      /** Seed of the Gumbel noise; null scores by the bare log importance weight. */
      gumbelSeed: number | null;
    };

export interface DsirWeightsFile {
  buckets: number;
  hashing: NgramHashMode;
  ngrams: 1 | 2;
  minTokens: number;
  logDiff: number[];
}

export interface Scorer {
  /** `key` is "<shard rel>:<line>", the seed of per-document randomness. */
  score(text: string, key: string): number;
  /** What the score means, for logs and the report. */
  readonly describe: string;
}

const GUMBEL_SALT = 0x6a09e667;

/**
 * `baseDir` resolves relative paths: params carry paths relative to the output directory so a
 * job's fingerprint (and its completion markers) survive moving or copying the output.
 */
export async function loadScorer(spec: ScorerSpec, baseDir: string): Promise<Scorer> {
  if (spec.kind === "fasttext") {
    const model: FastTextModel = await loadFastTextModel(path.resolve(baseDir, spec.model));
    if (!model.labels.includes(spec.label)) throw new Error(`${spec.model}: the model has no label '${spec.label}' (labels: ${model.labels.join(", ")})`);
    return {
      describe: `fastText p(${spec.label})`,
      score: (text) => model.probability(dclmPreprocess(text), spec.label),
    };
  }
  const w = JSON.parse(await readFile(path.resolve(baseDir, spec.weights), "utf8")) as DsirWeightsFile;
  const logDiff = Float64Array.from(w.logDiff);
  if (logDiff.length !== w.buckets) throw new Error(`${spec.weights}: ${logDiff.length} weights for ${w.buckets} buckets`);
  const hasher = new NgramHasher({ buckets: w.buckets, mode: w.hashing, ngrams: w.ngrams });
  const seed = spec.gumbelSeed;
  return {
    describe: seed === null ? "DSIR log importance weight" : "DSIR log importance weight + Gumbel noise",
    score(text, key) {
      const n = hasher.features(text);
      const lw = dsirLogWeight(hasher.ids, n, hasher.words, logDiff, w.minTokens);
      if (seed === null || lw === -Infinity) return lw;
      return lw + gumbelFromUniform(uniform01((seed ^ GUMBEL_SALT) >>> 0, key));
    },
  };
}

/** Seeded per-document uniform that breaks score ties (see threshold.ts). */
export function tieKey(seed: number, key: string): number {
  return uniform01((seed ^ 0x3c6ef372) >>> 0, key);
}
