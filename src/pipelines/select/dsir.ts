/**
 * DSIR's fitting stage (Xie et al. 2023): hashed unigram+bigram bag models of the targets and
 * of the raw data (the uniform sample), and the per-bucket log ratio that scores every corpus
 * document. The weights go to a JSON file the shard tasks load.
 */
import path from "node:path";
import { writeFileAtomic } from "../../io/atomic.js";
import { DSIR_MIN_TOKENS, dsirLogDiff } from "../../models/dsir/index.js";
import { NgramHasher, type NgramHashMode } from "../../text/ngram-hash.js";
import type { DsirWeightsFile } from "./scorer.js";

export const DSIR_BUCKETS = 10000;

export interface DsirFitted {
  weightsFile: string;
  targetTokens: number;
  rawTokens: number;
}

export async function fitDsir(targetTexts: string[], rawTexts: string[], opts: { modelDir: string; hashing: NgramHashMode; buckets?: number; minTokens?: number }): Promise<DsirFitted> {
  const buckets = opts.buckets ?? DSIR_BUCKETS;
  const hasher = new NgramHasher({ buckets, mode: opts.hashing });
  const t = new Float64Array(buckets);
  const r = new Float64Array(buckets);
  let targetTokens = 0;
  let rawTokens = 0;
  for (const s of targetTexts) targetTokens += hasher.addCounts(s, t);
  for (const s of rawTexts) rawTokens += hasher.addCounts(s, r);
  const logDiff = dsirLogDiff(t, r);
  const file: DsirWeightsFile = { buckets, hashing: opts.hashing, ngrams: 2, minTokens: opts.minTokens ?? DSIR_MIN_TOKENS, logDiff: Array.from(logDiff) };
  const weightsFile = path.join(opts.modelDir, "dsir-weights.json");
  await writeFileAtomic(weightsFile, JSON.stringify(file) + "\n");
  return { weightsFile, targetTokens, rawTokens };
}
