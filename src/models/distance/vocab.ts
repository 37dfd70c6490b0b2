/**
 * Vocabulary overlap between two samples, over lower-cased WordPunct tokens (DSIR's tokens):
 * the share of the domain's word types the reference also has, their Jaccard index, and the
 * OOV rate, the share of the domain's token occurrences whose type the reference never shows.
 */
import { scanTokens } from "../../text/wordpunct.js";

export interface VocabOverlap {
  domainTypes: number;
  referenceTypes: number;
  /** |V_D ∩ V_R| / |V_D| */
  overlap: number;
  /** |V_D ∩ V_R| / |V_D ∪ V_R| */
  jaccard: number;
  /** OOV occurrences / domain token occurrences */
  oovRate: number;
  domainTokens: number;
}

export function tokenCounts(texts: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of texts) {
    const lower = t.toLowerCase();
    scanTokens(lower, (s, e) => {
      const w = lower.slice(s, e);
      counts.set(w, (counts.get(w) ?? 0) + 1);
    });
  }
  return counts;
}

export function vocabOverlap(domain: readonly string[], reference: readonly string[]): VocabOverlap {
  const d = tokenCounts(domain);
  const r = tokenCounts(reference);
  let shared = 0;
  let tokens = 0;
  let oov = 0;
  for (const [w, c] of d) {
    tokens += c;
    if (r.has(w)) shared++;
    else oov += c;
  }
  const union = d.size + r.size - shared;
  return {
    domainTypes: d.size,
    referenceTypes: r.size,
    overlap: d.size ? shared / d.size : 0,
    jaccard: union ? shared / union : 0,
    oovRate: tokens ? oov / tokens : 0,
    domainTokens: tokens,
  };
}
