/**
 * KL divergence in both directions between the hashed unigram + bigram distributions of two
 * samples (DSIR's features and DSIR's KL: KL(p‖q) = Σ p_i (log(p_i+1e-8) − log(q_i+1e-8))).
 * The ε keeps an n-gram the other side never shows from making the divergence infinite.
 */
import { klDivergence, normalizeCounts } from "../dsir/index.js";
import { NgramHasher } from "../../text/ngram-hash.js";

export const KL_BUCKETS = 10000;

export interface NgramKl {
  klDomainToReference: number;
  klReferenceToDomain: number;
  buckets: number;
}

export function hashedNgramCounts(texts: readonly string[], buckets = KL_BUCKETS): Float64Array {
  const hasher = new NgramHasher({ buckets, mode: "fast" });
  const counts = new Float64Array(buckets);
  for (const t of texts) hasher.addCounts(t, counts);
  return counts;
}

export function ngramKl(domain: readonly string[], reference: readonly string[], buckets = KL_BUCKETS): NgramKl {
  const p = normalizeCounts(hashedNgramCounts(domain, buckets));
  const q = normalizeCounts(hashedNgramCounts(reference, buckets));
  return { klDomainToReference: klDivergence(p, q), klReferenceToDomain: klDivergence(q, p), buckets };
}
