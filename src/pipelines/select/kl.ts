/**
 * KL reduction of the selection toward the targets (DSIR's metric), estimated on the held-out
 * sample: it is a uniform sample of the corpus, so its docs above the threshold stand for the
 * selected distribution without another pass over the corpus. The raw side uses the same
 * number of held-out docs (the first ones in the seeded random order), not all of them: KL to
 * an empirical distribution grows as the sample shrinks (unseen n-grams), so comparing a
 * 5,000-doc selection with a 100,000-doc raw sample would understate the reduction.
 */
import { klReduction } from "../../models/dsir/index.js";
import { NgramHasher } from "../../text/ngram-hash.js";

export interface KlResult {
  rawKL: number;
  selectedKL: number;
  reduction: number;
  perBenchmark: Array<{ name: string; rawKL: number; selectedKL: number }>;
  buckets: number;
  docsRaw: number;
  docsSelected: number;
}

/** `raw` in seeded random order (the held-out sample); `kept[i]` whether raw[i] passes the threshold. */
export function selectionKl(targets: Array<{ text: string; benchmark: string }>, raw: string[], kept: boolean[], buckets = 10000): KlResult | undefined {
  const nKept = kept.filter(Boolean).length;
  if (nKept === 0 || targets.length === 0) return undefined;
  const hasher = new NgramHasher({ buckets, mode: "fast" });
  const names = [...new Set(targets.map((t) => t.benchmark))].sort();
  const per = new Map(names.map((n) => [n, new Float64Array(buckets)]));
  for (const t of targets) hasher.addCounts(t.text, per.get(t.benchmark)!);
  const r = new Float64Array(buckets);
  const s = new Float64Array(buckets);
  let nSel = 0;
  raw.forEach((text, i) => {
    const n = hasher.features(text);
    const ids = hasher.ids;
    const k = kept[i];
    const inRaw = i < nKept;
    if (k) nSel++;
    if (!k && !inRaw) return;
    for (let j = 0; j < n; j++) {
      if (inRaw) r[ids[j]]++;
      if (k) s[ids[j]]++;
    }
  });
  const k = klReduction(names.map((n) => per.get(n)!), r, s);
  return {
    rawKL: k.rawKL,
    selectedKL: k.selectedKL,
    reduction: k.reduction,
    perBenchmark: names.map((name, i) => ({ name, ...k.perTarget[i] })),
    buckets,
    docsRaw: nKept,
    docsSelected: nSel,
  };
}
