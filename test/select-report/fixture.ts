/**
 * Realistic synthetic report data: a BETR run over 3 shards with a skewed score distribution
 * (most docs near 0, a thin tail near 1 as a fastText classifier gives), hostile corpus text
 * and hostile file / benchmark names, so tests can check escaping everywhere text appears.
 */
import type { SelectReportData } from "../../src/report/select-report.js";
import { optimalFilterRate } from "../../src/models/laws/filter-rate.js";

export const EVIL_SCRIPT = `<script>globalThis.__injected = 1</script>`;
export const EVIL_IMG = `<img src=x onerror="globalThis.__injected = 1">`;

/** Deterministic xorshift so the fixture is the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

export function syntheticReport(): SelectReportData {
  const r = rng(7);
  const edges = Array.from({ length: 51 }, (_, i) => i / 50);
  const counts = new Array(50).fill(0);
  const scores: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    // Mixture: 88% low scores, 12% high tail.
    const u = r();
    const s = r() < 0.88 ? Math.pow(u, 4) * 0.6 : 0.4 + 0.6 * Math.sqrt(u);
    scores.push(s);
    counts[Math.min(49, Math.floor(s * 50))]++;
  }
  const sorted = [...scores].sort((a, b) => b - a);
  const law = optimalFilterRate(1e21, "nemotron-cc");
  const kept = Math.round(law.fraction * scores.length);
  const threshold = sorted[kept - 1];
  const rejected = 37;
  const read = scores.length + rejected;
  const shards = [
    { shard: "c4/en.00000.jsonl.zst", read: 8_012, kept: 500, dropped: 7_500, rejected: 12 },
    { shard: "c4/en.00001.jsonl.zst", read: 8_020, kept: 600, dropped: 7_400, rejected: 20 },
    { shard: `odd/<b>name</b>.jsonl.gz`, read: 4_005, kept: kept - 1_100, dropped: 4_000 - (kept - 1_100), rejected: 5 },
  ];
  return {
    method: "betr",
    createdAt: "2026-11-22T15:00:00Z",
    command: "datatailor select --target bench/ --corpus c4/ --out sel --compute 1e21",
    seed: 1234,
    keep: {
      requested: law.fraction,
      by: "tokens",
      source: "compute",
      compute: { flops: 1e21, pool: law.pool, formula: law.formula, percent: law.percent, clamped: law.clamped },
      threshold,
      achievedTokenFraction: 0.0725,
      achievedDocFraction: kept / scores.length,
    },
    funnel: { read, rejected, scored: scores.length, kept, dropped: scores.length - kept, tokensRead: 19_876_543, tokensKept: 1_441_049 },
    histogram: { edges, counts },
    benchmarks: [
      { name: "arc_easy", targets: 200, share: 0.41 },
      { name: "sciq", targets: 200, share: 0.305 },
      { name: "openbookqa", targets: 200, share: 0.225 },
      { name: `gsm8k ${EVIL_SCRIPT}`, targets: 200, share: 0.06 },
      { name: "copa", targets: 100, share: 0 },
    ].map((b) => ({ ...b, keptDocs: Math.round(b.share * kept) })),
    nearThreshold: {
      above: [
        { id: "c4/en.00000.jsonl.zst:17", shard: "c4/en.00000.jsonl.zst", score: threshold + 0.001, text: `Photosynthesis converts light energy into chemical energy. ${EVIL_SCRIPT}`, benchmark: "arc_easy" },
        { id: "doc-2", shard: "c4/en.00001.jsonl.zst", score: threshold + 0.0004, text: "The boiling point of water decreases at higher altitudes because air pressure is lower.", benchmark: "sciq" },
      ],
      below: [
        { id: "doc-3", shard: "c4/en.00001.jsonl.zst", score: threshold - 0.0002, text: `Buy cheap shoes online! ${EVIL_IMG} free shipping`, benchmark: "openbookqa" },
        { id: `<i>id</i>`, shard: "c4/en.00000.jsonl.zst", score: threshold - 0.002, text: "A recipe for banana bread with walnuts.\nPreheat the oven to 180°C." },
      ],
    },
    kl: {
      rawKL: 2.31,
      selectedKL: 1.74,
      reduction: 0.57,
      perBenchmark: [
        { name: "arc_easy", rawKL: 2.5, selectedKL: 1.8 },
        { name: "sciq", rawKL: 2.2, selectedKL: 1.6 },
        { name: "openbookqa", rawKL: 2.4, selectedKL: 1.9 },
      ],
    },
    throughput: [
      { stage: "embed sample", docs: 20_000, seconds: 8.2 },
      { stage: "rank (BETR)", docs: 20_000, seconds: 3.1, workers: 2 },
      { stage: "train classifier", docs: 4_000, seconds: 1.4 },
      { stage: "score corpus", docs: 20_037, seconds: 5.6, workers: 2 },
    ],
    rejected: {
      total: rejected,
      byReason: { "invalid JSON": 30, "missing text": 7 },
      examples: [
        { file: "c4/en.00000.jsonl.zst", line: 41, reason: "invalid JSON: Unexpected token } at position 12" },
        { file: `odd/<b>name</b>.jsonl.gz`, line: 3, reason: `missing text field ${EVIL_IMG}` },
      ],
    },
    shards,
    details: { embedder: "tfidf:4096", "sample docs": 20_000, "held-out docs": 20_000, "classifier": "fastText wordNgrams=2 lr=0.03 dim=128 ws=10 minCount=5 epoch=5", "positive fraction": 0.1 },
  };
}
