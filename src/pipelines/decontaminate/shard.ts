/**
 * The corpus-scale stage of `decontaminate` as an executor task (kind "decontaminate-shard"):
 * read one shard, match every document against the shared n-gram index, write it to
 * `clean/<rel>` or `contaminated/<rel>` (same format and bytes as the input; Parquet keeps the
 * input's schema), one row per (document, item) hit to `hits/<rel>.parquet`, and return counts
 * that reconcile: read = clean + contaminated + rejected. The executor writes the completion
 * marker after we return; `finalizeShards` (called by the run and by `datatailor merge`) builds
 * the run-wide files.
 */
import { BadInputLog, type BadInputSummary } from "../../io/bad-input.js";
import { openShard } from "../../io/read.js";
import { writeParquetColumns } from "../../io/parquet-write.js";
import { openRecordWriter, type RecordWriter } from "../../io/write.js";
import type { ShardResult, TaskHandler } from "../../exec/types.js";
import { openShardJob } from "../../exec/shard-job.js";
import { Matcher, type ItemHit } from "../../models/contam/match.js";
import type { ContamIndex } from "../../models/contam/index-image.js";
import { openIndexFile } from "./index-file.js";
import { excerptAround, type Excerpt } from "./excerpt.js";

export interface DecontaminateShardParams {
  /** The index image, relative to the output directory. */
  index: string;
  /** Fingerprint of the index inputs: another index redoes the shards. */
  indexKey: string;
  textField?: string;
  idField?: string;
  strict?: boolean;
  /** Report examples kept per benchmark and shard. */
  examples: number;
  /** Characters of document text kept per example. */
  excerptChars: number;
}

export interface HitExample extends Excerpt {
  id: string;
  shard: string;
  line: number;
  item: number;
  ngrams: number;
  whole: boolean;
}

export interface DecontaminateShardSummary {
  bad: BadInputSummary;
  /** (document, item) rows written to hits/<rel>.parquet. */
  hits: number;
  examples: HitExample[];
}

const indexCache = new Map<string, Promise<ContamIndex>>();
function loadIndex(file: string, key: string): Promise<ContamIndex> {
  const k = `${file}\0${key}`;
  let p = indexCache.get(k);
  if (!p) {
    if (indexCache.size > 2) indexCache.clear();
    p = openIndexFile(file);
    indexCache.set(k, p);
    p.catch(() => indexCache.delete(k));
  }
  return p;
}

/** Report example of one (document, item) hit. */
export function hitExample(m: Matcher, text: string, hit: ItemHit, where: { id: string; shard: string; line: number }, chars: number): HitExample {
  const spans = hit.words.map(([a, b]) => m.charSpan(a, b));
  return { ...where, item: hit.item, ngrams: hit.ngrams, whole: hit.whole, ...excerptAround(text, spans, chars) };
}

export const decontaminateShard: TaskHandler<DecontaminateShardParams> = async (spec, task, ctx) => {
  const t0 = performance.now();
  const p = spec.params;
  const job = await openShardJob(spec, task, ctx);
  const { format, path: shardPath, bytes: size } = job;
  const index = await loadIndex(job.outputReadPath(p.index), p.indexKey);
  const matcher = new Matcher(index);
  const bad = new BadInputLog({ strict: p.strict ?? false });
  const reader = openShard({ path: shardPath, rel: task.shard, format, bytes: size }, { bad, textField: p.textField, idField: p.idField, signal: ctx.signal, raw: format !== "parquet" });

  const hitIds: string[] = [];
  const hitLines: number[] = [];
  const hitItems: number[] = [];
  const hitNgrams: number[] = [];
  const hitWhole: boolean[] = [];
  const examples: HitExample[] = [];
  const perBench = new Map<number, number>();
  let clean = 0;
  let dirty = 0;
  let cleanW: RecordWriter | undefined;
  let dirtyW: RecordWriter | undefined;
  try {
    cleanW = await openRecordWriter(await job.outputPath(`clean/${task.shard}`), format, { like: shardPath });
    dirtyW = await openRecordWriter(await job.outputPath(`contaminated/${task.shard}`), format, { like: shardPath });
    for await (const batch of reader.batches()) {
      for (const rec of batch) {
        if (matcher.match(rec.text) === 0) {
          clean++;
          const w = cleanW.write(rec);
          if (w) await w;
          continue;
        }
        dirty++;
        const hits = matcher.hits();
        const shown = new Set<number>();
        for (const h of hits) {
          hitIds.push(rec.id);
          hitLines.push(rec.line);
          hitItems.push(h.item);
          hitNgrams.push(h.ngrams);
          hitWhole.push(h.whole);
        }
        // one example per benchmark per document: its item with the most shared n-grams
        const best = [...hits].sort((x, y) => y.ngrams - x.ngrams || x.item - y.item);
        for (const h of best) {
          const b = index.itemBench[h.item]!;
          if (shown.has(b) || (perBench.get(b) ?? 0) >= p.examples) continue;
          shown.add(b);
          perBench.set(b, (perBench.get(b) ?? 0) + 1);
          examples.push(hitExample(matcher, rec.text, h, { id: rec.id, shard: task.shard, line: rec.line }, p.excerptChars));
        }
        const w = dirtyW.write(rec);
        if (w) await w;
      }
      ctx.progress(batch.length);
    }
    await cleanW.commit();
    await dirtyW.commit();
  } catch (err) {
    await cleanW?.abort();
    await dirtyW?.abort();
    throw err;
  }
  await writeParquetColumns(
    await job.outputPath(`hits/${task.shard}.parquet`),
    { id: hitIds, line: Int32Array.from(hitLines), item: Int32Array.from(hitItems), ngrams: Int32Array.from(hitNgrams), whole: hitWhole },
    { types: { id: "STRING", whole: "BOOLEAN" } },
  );
  const rejected = reader.stats.rejected;
  const summary: DecontaminateShardSummary = { bad: bad.toJSON(), hits: hitIds.length, examples };
  const result: ShardResult = {
    shard: task.shard,
    index: task.index,
    seconds: (performance.now() - t0) / 1000,
    counts: { read: clean + dirty + rejected, kept: clean, dropped: dirty, rejected, extra: { dropped_contaminated: dirty, hits: hitIds.length, bytes: size } },
    summary,
  };
  return result;
};
