/**
 * BETR step 2 (the corpus sample) as shard jobs, so that it runs on every worker thread or
 * machine instead of one coordinator thread, and gives exactly the sample `sampleCorpus` draws.
 * Two rounds over the shards (kind "select-sample"):
 *   1. "histogram": count the documents' priorities in log-spaced bins (a few KB per shard);
 *      the coordinator picks the smallest cutoff below which at least sample + holdout fall;
 *   2. "take": write the documents under that cutoff to `parts/<shard>.jsonl.gz`.
 * The coordinator then keeps the sample + holdout smallest priorities of those parts. Priorities
 * depend only on the seed and each document's place, so the result equals one serial pass.
 */
import path from "node:path";
import { BadInputLog } from "../../io/bad-input.js";
import { openShard } from "../../io/read.js";
import type { TxtSplit } from "../../io/formats.js";
import { openRecordWriter, type RecordWriter } from "../../io/write.js";
import { countWhitespaceWords } from "../../text/wordpunct.js";
import type { Executor, ShardResult, TaskHandler } from "../../exec/types.js";
import { openShardJob } from "../../exec/shard-job.js";
import type { Shard } from "../../io/shards.js";
import { docPriority, readSampledDocs, SAMPLE_FILE_FORMAT, SAMPLE_FILE_LEVEL, sampledRecord, splitSample, type CorpusSample, type SampledDoc } from "./sample.js";
// Registers the "select-sample" kind, so a direct sampleWithExecutor call (tests, library users) works on any executor.
import "./tasks.js";

/** Bin i holds priorities in [2^-(i+1)/64, 2^-i/64); the last one everything smaller. */
const BINS_PER_OCTAVE = 64;
export const PRIORITY_BINS = BINS_PER_OCTAVE * 60;

export function priorityBin(p: number): number {
  return p > 0 ? Math.min(PRIORITY_BINS - 1, Math.floor(-Math.log2(p) * BINS_PER_OCTAVE)) : PRIORITY_BINS - 1;
}

/**
 * The smallest bin edge c with at least `want` priorities below it, one bin wider than needed
 * so that rounding in log2 can never leave a document on the wrong side; 2 (all) when the
 * corpus has no more than `want` documents.
 */
export function priorityCutoff(hist: ArrayLike<number>, want: number): number {
  let below = 0;
  for (let i = PRIORITY_BINS - 1; i >= 0; i--) {
    below += hist[i];
    if (below >= want) return i <= 1 ? 2 : 2 ** (-(i - 1) / BINS_PER_OCTAVE);
  }
  return 2;
}

export interface SampleShardParams {
  round: "histogram" | "take";
  seed: number;
  /** Round "take": documents with priority below this are written. */
  cutoff?: number;
  textField?: string;
  idField?: string;
  /** Plain-text shards: one document per file or per paragraph (--txt-split). */
  txtSplit?: TxtSplit;
  strict?: boolean;
}

export interface SampleShardSummary {
  /** Round "histogram": [bin, count] for the non-empty bins. */
  hist?: Array<[number, number]>;
  docs: number;
  tokens: number;
}

export function partPath(shard: string): string {
  return `parts/${shard}.jsonl.gz`;
}

export const sampleShard: TaskHandler<SampleShardParams> = async (spec, task, ctx) => {
  const t0 = performance.now();
  const p = spec.params;
  const job = await openShardJob(spec, task, ctx);
  const bad = new BadInputLog({ strict: p.strict ?? false });
  const reader = openShard({ path: job.path, rel: task.shard, format: job.format, bytes: job.bytes }, { bad, textField: p.textField, idField: p.idField, txtSplit: p.txtSplit, signal: ctx.signal, raw: false });
  const hist = p.round === "histogram" ? new Float64Array(PRIORITY_BINS) : undefined;
  const cutoff = p.cutoff ?? 2;
  let out: RecordWriter | undefined;
  let docs = 0;
  let tokens = 0;
  let taken = 0;
  try {
    for await (const batch of reader.batches()) {
      for (const rec of batch) {
        const priority = docPriority(p.seed, task.shard, rec.line);
        const t = countWhitespaceWords(rec.text);
        docs++;
        tokens += t;
        if (hist) hist[priorityBin(priority)]++;
        else if (priority < cutoff) {
          out ??= await openRecordWriter(await job.outputPath(partPath(task.shard)), SAMPLE_FILE_FORMAT, { level: SAMPLE_FILE_LEVEL });
          await out.write(sampledRecord({ priority, shard: task.shard, line: rec.line, id: rec.id, text: rec.text, tokens: t }));
          taken++;
        }
      }
      ctx.progress(batch.length);
    }
    await out?.commit();
  } catch (err) {
    await out?.abort();
    throw err;
  }
  const rejected = reader.stats.rejected;
  const summary: SampleShardSummary = { docs, tokens };
  if (hist) summary.hist = Array.from(hist.entries()).filter(([, n]) => n > 0);
  const seconds = (performance.now() - t0) / 1000;
  return { shard: task.shard, index: task.index, seconds, counts: { read: docs + rejected, kept: taken, dropped: docs - taken, rejected }, summary } satisfies ShardResult;
};

export interface DistributedSampleOptions {
  sample: number;
  holdout: number;
  seed: number;
  textField?: string;
  idField?: string;
  /** Plain-text shards: one document per file or per paragraph (--txt-split). */
  txtSplit?: TxtSplit;
  strict?: boolean;
  onDocs?: (n: number) => void;
}

/** The corpus sample through `executor`; `workDir` holds the rounds' markers and parts. */
export async function sampleWithExecutor(executor: Executor, root: string, shards: Shard[], workDir: string, opts: DistributedSampleOptions): Promise<CorpusSample> {
  const tasks = shards.map((s, index) => ({ index, shard: s.rel }));
  const base = { seed: opts.seed, textField: opts.textField, idField: opts.idField, txtSplit: opts.txtSplit, strict: opts.strict };
  const onProgress = (n: number) => opts.onDocs?.(n);
  const counted = await executor.run<SampleShardParams>({ kind: "select-sample", inputRoot: root, outDir: path.join(workDir, "histogram"), params: { ...base, round: "histogram" } }, tasks, { onProgress });
  const hist = new Float64Array(PRIORITY_BINS);
  let docs = 0;
  let tokens = 0;
  let rejected = 0;
  for (const r of counted) {
    const s = r.summary as SampleShardSummary;
    for (const [bin, n] of s.hist ?? []) hist[bin] += n;
    docs += s.docs;
    tokens += s.tokens;
    rejected += r.counts.rejected;
  }
  const cutoff = priorityCutoff(hist, opts.sample + opts.holdout);
  const takeDir = path.join(workDir, "take");
  const taken = await executor.run<SampleShardParams>({ kind: "select-sample", inputRoot: root, outDir: takeDir, params: { ...base, round: "take", cutoff } }, tasks, { onProgress });
  const candidates: SampledDoc[] = [];
  for (const r of taken) {
    if (r.counts.kept === 0) continue;
    for (const d of await readSampledDocs(path.join(takeDir, partPath(r.shard)))) candidates.push(d);
  }
  return { ...splitSample(candidates, opts), docs, tokens, rejected };
}
