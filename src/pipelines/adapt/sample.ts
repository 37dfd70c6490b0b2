/**
 * Seeded samples of a domain and a reference corpus, read through the usual readers (select's
 * bottom-k sample: each document's priority depends only on the seed and its place, so the same
 * seed draws the same documents whatever the read order). With `vectorField`, each sampled
 * document's precomputed embedding is read from that field (a JSONL array, a Parquet list
 * column) in a second pass over the shards holding sampled documents.
 */
import { BadInputLog } from "../../io/bad-input.js";
import { openShard } from "../../io/read.js";
import { discoverShards, type Shard } from "../../io/shards.js";
import type { VectorSet } from "../../models/distance/vectors.js";
import { UserError } from "../../util/errors.js";
import { sampleCorpus } from "../select/sample.js";

export interface DocSample {
  texts: string[];
  ids: string[];
  /** Documents read (the population the sample was drawn from). */
  docs: number;
  /** Precomputed vectors of the sampled documents, when asked for. */
  vectors?: VectorSet;
}

export interface SampleDocsOptions {
  size: number;
  seed: number;
  bad: BadInputLog;
  textField?: string;
  idField?: string;
  vectorField?: string;
  /** Names the sample in messages ("domain", "reference"). */
  role: string;
  onDocs?: (n: number) => void;
}

export async function sampleDocs(inputs: string[], opts: SampleDocsOptions): Promise<DocSample> {
  const { shards } = await discoverShards(inputs);
  if (!shards.length) throw new UserError(`${opts.role}: no data files found in ${inputs.join(", ")}`);
  const s = await sampleCorpus(shards, { sample: opts.size, holdout: 0, seed: opts.seed, bad: opts.bad, textField: opts.textField, idField: opts.idField, onDocs: opts.onDocs });
  let docs = s.train;
  if (!docs.length) throw new UserError(`${opts.role}: the sample is empty (${s.docs} documents read from ${inputs.join(", ")}, ${s.rejected} rejected)`);
  let vectors: VectorSet | undefined;
  if (opts.vectorField) {
    const v = await readVectors(shards, docs, opts.vectorField, opts);
    docs = docs.filter((_, i) => v.keep[i]);
    if (docs.length < 2) throw new UserError(`${opts.role}: fewer than 2 sampled documents have a usable "${opts.vectorField}" vector`);
    vectors = v.vectors;
  }
  return { texts: docs.map((d) => d.text), ids: docs.map((d) => d.id), docs: s.docs, vectors };
}

/** Vectors of the sampled docs, in sample order; docs whose vector is missing or malformed are counted as bad input and dropped. */
async function readVectors(shards: Shard[], docs: Array<{ shard: string; line: number }>, field: string, opts: SampleDocsOptions) {
  const want = new Map<string, Map<number, number>>();
  docs.forEach((d, i) => {
    let m = want.get(d.shard);
    if (!m) want.set(d.shard, (m = new Map()));
    m.set(d.line, i);
  });
  const found: Array<ArrayLike<number> | undefined> = new Array(docs.length);
  let dim = -1;
  for (const shard of shards) {
    const lines = want.get(shard.rel);
    if (!lines) continue;
    // A throwaway log: the first pass has already counted this shard's bad lines.
    const reader = openShard(shard, { bad: new BadInputLog(), textField: opts.textField, idField: opts.idField, raw: false, columns: [field] });
    for await (const batch of reader.batches()) {
      for (const rec of batch) {
        const i = lines.get(rec.line);
        if (i === undefined) continue;
        const v = asVector(rec.fields[field]);
        if (typeof v === "string") {
          opts.bad.add(shard.rel, rec.line, "bad_vector", `${field}: ${v}`, shard.path);
          continue;
        }
        if (dim < 0) dim = v.length;
        if (v.length !== dim) {
          throw new UserError(`${opts.role}: ${shard.path} line ${rec.line}: "${field}" has ${v.length} dimensions, earlier vectors have ${dim}`);
        }
        found[i] = v;
      }
    }
  }
  const keep = found.map((v) => v !== undefined);
  const n = keep.filter(Boolean).length;
  const data = new Float64Array(n * Math.max(dim, 0));
  let r = 0;
  for (const v of found) {
    if (!v) continue;
    for (let k = 0; k < dim; k++) data[r * dim + k] = v[k];
    r++;
  }
  return { keep, vectors: { data, n, dim: Math.max(dim, 1) } as VectorSet };
}

/** The field as numbers, or why it is not a vector. */
function asVector(v: unknown): ArrayLike<number> | string {
  if (v === undefined || v === null) return "missing";
  const arr = ArrayBuffer.isView(v) && !(v instanceof DataView) ? (v as unknown as ArrayLike<number>) : Array.isArray(v) ? v : null;
  if (!arr) return `expected an array of numbers, got ${typeof v}`;
  if (arr.length === 0) return "empty array";
  for (let k = 0; k < arr.length; k++) {
    const x = Number(arr[k]);
    if (typeof arr[k] !== "number" && typeof arr[k] !== "bigint") return `element ${k} is not a number`;
    if (!Number.isFinite(x)) return `element ${k} is not finite`;
  }
  return Array.from(arr as ArrayLike<number>, Number);
}
