/**
 * BETR step 2: a reproducible uniform sample of the corpus. Each document gets a priority
 * uniform01(seed, "<shard rel>:<line>") and the sample is the `want` smallest (bottom-k), so
 * it depends only on the seed and the documents, never on read order or worker count. The
 * first `sample` docs by priority train the scorer; the next `holdout` set the threshold.
 */
import { BadInputLog } from "../../io/bad-input.js";
import { openShard, readRecords } from "../../io/read.js";
import type { DocRecord } from "../../io/record.js";
import type { Shard } from "../../io/shards.js";
import { uniform01 } from "../../text/hash.js";
import { countWhitespaceWords } from "../../text/wordpunct.js";

export interface SampledDoc {
  priority: number;
  shard: string;
  line: number;
  id: string;
  text: string;
  tokens: number;
}

export interface CorpusSample {
  train: SampledDoc[];
  holdout: SampledDoc[];
  docs: number;
  tokens: number;
  rejected: number;
}

/** Max-heap on priority holding the k smallest priorities seen. */
class BottomK {
  readonly items: SampledDoc[] = [];
  constructor(readonly k: number) {}
  worst(): number {
    return this.items.length ? this.items[0].priority : Infinity;
  }
  offer(d: SampledDoc): void {
    const h = this.items;
    if (h.length < this.k) {
      h.push(d);
      let i = h.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (h[p].priority >= h[i].priority) break;
        [h[p], h[i]] = [h[i], h[p]];
        i = p;
      }
      return;
    }
    if (d.priority >= h[0].priority) return;
    h[0] = d;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l].priority > h[m].priority) m = l;
      if (r < h.length && h[r].priority > h[m].priority) m = r;
      if (m === i) break;
      [h[m], h[i]] = [h[i], h[m]];
      i = m;
    }
  }
}

/**
 * Kept samples and sample-job parts are gzip at level 1: node:zlib writes it on every machine
 * (zstd may only decode here, src/io/zstd.ts) and these files are a small share of a run.
 */
export const SAMPLE_FILE_FORMAT = "jsonl.gz";
export const SAMPLE_FILE_LEVEL = 1;

/** A sampled document as a record of a .jsonl.gz file (kept samples, sample-job parts). */
export function sampledRecord(d: SampledDoc): DocRecord {
  return { id: d.id, text: d.text, line: d.line, fields: { priority: d.priority, shard: d.shard, line: d.line, id: d.id, text: d.text, tokens: d.tokens } };
}

/** The sampled documents of such a file; a damaged file throws (strict), never reads short. */
export async function readSampledDocs(file: string): Promise<SampledDoc[]> {
  const docs: SampledDoc[] = [];
  for await (const r of readRecords(file, { bad: new BadInputLog({ strict: true }) })) {
    const f = r.fields as unknown as SampledDoc;
    docs.push({ priority: f.priority, shard: f.shard, line: f.line, id: f.id, text: f.text, tokens: f.tokens });
  }
  return docs;
}

export function docKey(shard: string, line: number): string {
  return `${shard}:${line}`;
}

/** A document's sampling priority: uniform in [0, 1), a function of the seed and its place only. */
export function docPriority(seed: number, shard: string, line: number): number {
  return uniform01(0x5a3b1e ^ seed, docKey(shard, line));
}

/**
 * Orders the candidates (priority, then shard and line) and splits the first sample + holdout
 * into the two parts. When the corpus holds fewer than sample + holdout documents, they are
 * split in proportion to the requested sizes.
 */
export function splitSample(candidates: SampledDoc[], opts: { sample: number; holdout: number }): { train: SampledDoc[]; holdout: SampledDoc[] } {
  const want = opts.sample + opts.holdout;
  const all = candidates.sort((a, b) => a.priority - b.priority || (a.shard < b.shard ? -1 : a.shard > b.shard ? 1 : a.line - b.line)).slice(0, want);
  let nTrain = Math.min(opts.sample, all.length);
  if (all.length < want && opts.holdout > 0) nTrain = Math.max(1, Math.min(all.length - 1, Math.round((all.length * opts.sample) / want)));
  return { train: all.slice(0, nTrain), holdout: all.slice(nTrain) };
}

export interface SampleOptions {
  sample: number;
  holdout: number;
  seed: number;
  textField?: string;
  idField?: string;
  txtSplit?: "file" | "paragraphs";
  bad: BadInputLog;
  onDocs?: (n: number) => void;
}

/** Reads every shard once, on this thread (see sample-shard.ts for the same sample as shard jobs). */
export async function sampleCorpus(shards: Shard[], opts: SampleOptions): Promise<CorpusSample> {
  const want = opts.sample + opts.holdout;
  const heap = new BottomK(want);
  let docs = 0;
  let tokens = 0;
  let rejected = 0;
  for (const shard of shards) {
    const reader = openShard(shard, { bad: opts.bad, textField: opts.textField, idField: opts.idField, txtSplit: opts.txtSplit, raw: false });
    for await (const batch of reader.batches()) {
      for (const rec of batch) {
        const priority = docPriority(opts.seed, shard.rel, rec.line);
        const t = countWhitespaceWords(rec.text);
        docs++;
        tokens += t;
        if (priority < heap.worst() || heap.items.length < want) heap.offer({ priority, shard: shard.rel, line: rec.line, id: rec.id, text: rec.text, tokens: t });
      }
      opts.onDocs?.(batch.length);
    }
    rejected += reader.stats.rejected;
  }
  return { ...splitSample(heap.items, opts), docs, tokens, rejected };
}
