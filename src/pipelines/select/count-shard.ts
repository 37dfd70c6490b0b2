/**
 * The exact keep rate on corpora larger than the sample (kind "select-count"): every shard is
 * scored once to count its documents' weight (tokens or docs) in fine score bins, so the
 * coordinator can place the threshold where the whole corpus — not a held-out sample of it —
 * reaches the requested share. The bins are 2^16 over the held-out scores' range (logit for
 * probabilities), so the boundary bin holds a tiny share of the corpus: the kept share lands
 * within it of the request, where a held-out threshold misses by about 1/√(kept held-out docs).
 */
import { BadInputLog } from "../../io/bad-input.js";
import type { TxtSplit } from "../../io/formats.js";
import { openShard } from "../../io/read.js";
import { countWhitespaceWords } from "../../text/wordpunct.js";
import type { Executor, ShardResult, ShardTask, TaskHandler } from "../../exec/types.js";
import { openShardJob } from "../../exec/shard-job.js";
import { loadScorer, scoreAll, type ScorerSpec } from "./scorer.js";
import { docKey } from "./sample.js";
import { KEEP_NONE, type Threshold } from "./threshold.js";

export const COUNT_BINS = 1 << 16;

export interface CountBins {
  /** Probability scores are binned on their logit. */
  logit: boolean;
  lo: number;
  hi: number;
}

export interface CountShardParams {
  scorer: ScorerSpec;
  bins: CountBins;
  keepBy: "tokens" | "docs";
  textField?: string;
  idField?: string;
  /** Plain-text shards: one document per file or per paragraph (--txt-split). */
  txtSplit?: TxtSplit;
}

const t = (b: CountBins, s: number) => (b.logit ? Math.log(Math.max(s, 1e-300) / Math.max(1 - s, 1e-300)) : s);
const inv = (b: CountBins, x: number) => (b.logit ? 1 / (1 + Math.exp(-x)) : x);

export function binOf(b: CountBins, s: number): number {
  const x = (t(b, s) - b.lo) / (b.hi - b.lo);
  return x <= 0 ? 0 : x >= 1 ? COUNT_BINS - 1 : Math.floor(x * COUNT_BINS);
}

/** Bins spanning the held-out scores with a margin of half their range on each side. */
export function countBins(scores: Float64Array, logit: boolean): CountBins {
  let lo = Infinity;
  let hi = -Infinity;
  const b0: CountBins = { logit, lo: 0, hi: 1 };
  for (const s of scores) {
    if (!Number.isFinite(s)) continue;
    const x = t(b0, s);
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (!(hi > lo)) return { logit, lo: (Number.isFinite(lo) ? lo : 0) - 1, hi: (Number.isFinite(hi) ? hi : 0) + 1 };
  const m = (hi - lo) / 2;
  return { logit, lo: lo - m, hi: hi + m };
}

export const countShard: TaskHandler<CountShardParams> = async (spec, task, ctx) => {
  const t0 = performance.now();
  const p = spec.params;
  const { format, path: shardPath, bytes: size } = await openShardJob(spec, task, ctx);
  const scorer = await loadScorer(p.scorer, spec.outDir);
  const bad = new BadInputLog({ strict: false });
  const reader = openShard({ path: shardPath, rel: task.shard, format, bytes: size }, { bad, textField: p.textField, idField: p.idField, txtSplit: p.txtSplit, signal: ctx.signal });
  const weight = new Float64Array(COUNT_BINS);
  let total = 0;
  let docs = 0;
  for await (const batch of reader.batches()) {
    const scores = await scoreAll(scorer, batch.map((r) => r.text), batch.map((r) => docKey(task.shard, r.line)));
    for (let i = 0; i < batch.length; i++) {
      const rec = batch[i]!;
      const w = p.keepBy === "tokens" ? countWhitespaceWords(rec.text) : 1;
      total += w;
      docs++;
      const s = scores[i]!;
      if (s === -Infinity || Number.isNaN(s)) continue;
      weight[binOf(p.bins, s)]! += w;
    }
    ctx.progress(batch.length);
  }
  // Sparse: most bins of a shard are empty.
  const nz: Array<[number, number]> = [];
  weight.forEach((w, i) => w && nz.push([i, w]));
  const result: ShardResult = {
    shard: task.shard,
    index: task.index,
    seconds: (performance.now() - t0) / 1000,
    counts: { read: docs + reader.stats.rejected, kept: 0, dropped: docs, rejected: reader.stats.rejected },
    summary: { total, bins: nz },
  };
  return result;
};

/**
 * Runs the count pass and returns the threshold: the lower edge of the bin at which the
 * cumulative weight, from the top, comes closest to `fraction` of the corpus' weight.
 */
export async function countThreshold(executor: Executor, root: string, workDir: string, shards: ShardTask[], params: CountShardParams, fraction: number, onProgress?: (n: number) => void): Promise<{ threshold: Threshold; expected: number }> {
  const results = await executor.run<CountShardParams>({ kind: "select-count", inputRoot: root, outDir: workDir, params }, shards, { onProgress });
  const weight = new Float64Array(COUNT_BINS);
  let total = 0;
  for (const r of results) {
    const s = r.summary as { total: number; bins: Array<[number, number]> };
    total += s.total;
    for (const [i, w] of s.bins) weight[i]! += w;
  }
  const target = fraction * total;
  let cum = 0;
  for (let i = COUNT_BINS - 1; i >= 0; i--) {
    const next = cum + weight[i]!;
    if (next >= target) {
      // include bin i or stop above it, whichever lands nearer the request
      const take = next - target <= target - cum || cum === 0;
      const edge = take ? i : i + 1;
      if (edge >= COUNT_BINS) return { threshold: KEEP_NONE, expected: 0 };
      const x = params.bins.lo + ((params.bins.hi - params.bins.lo) * edge) / COUNT_BINS;
      // bin 0 also holds everything below lo
      const score = edge === 0 ? -Number.MAX_VALUE : inv(params.bins, x);
      return { threshold: { score, tie: 1 }, expected: (take ? next : cum) / Math.max(1, total) };
    }
    cum = next;
  }
  return { threshold: { score: -Number.MAX_VALUE, tie: 1 }, expected: cum / Math.max(1, total) };
}
