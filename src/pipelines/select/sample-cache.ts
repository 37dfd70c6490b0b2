/**
 * The corpus sample (BETR step 2) kept in the output directory, so that a rerun — after an
 * interruption, or a relaunched array task — does not read the whole corpus again for it. A
 * kept sample is used only for the same shards (path, size, modification time) and the same
 * sampling options; anything else samples afresh. The sample is exact (a pure function of the
 * seed and the documents), so reusing it changes no output.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../../io/atomic.js";
import type { Shard } from "../../io/shards.js";
import { openRecordWriter } from "../../io/write.js";
import { readSampledDocs, SAMPLE_FILE_FORMAT, SAMPLE_FILE_LEVEL, sampledRecord, type CorpusSample, type SampledDoc } from "./sample.js";
import type { TxtSplit } from "../../io/formats.js";

export const SAMPLE_DOCS_FILE = "sample.jsonl.gz";
/** Written after the documents: its presence with a matching key means the sample is complete. */
const META_FILE = "sample.json";

interface SampleMeta {
  key: string;
  docs: number;
  tokens: number;
  rejected: number;
  train: number;
  holdout: number;
}

export interface SampleKeyOptions {
  seed: number;
  sample: number;
  holdout: number;
  textField?: string;
  idField?: string;
  /** Plain-text shards: one document per file or per paragraph (--txt-split). */
  txtSplit?: TxtSplit;
}

/** Identifies a sample: the shards as they are on disk and the options that drew it. */
export async function sampleKey(shards: Shard[], opts: SampleKeyOptions): Promise<string> {
  const h = createHash("sha256");
  h.update(JSON.stringify({ v: 1, seed: opts.seed, sample: opts.sample, holdout: opts.holdout, text: opts.textField ?? null, id: opts.idField ?? null, ...(opts.txtSplit && opts.txtSplit !== "file" ? { txt: opts.txtSplit } : {}) }));
  for (const s of shards) {
    const st = await fs.stat(s.path);
    h.update(`\n${s.rel}\0${st.size}\0${st.mtimeMs}`);
  }
  return h.digest("hex");
}

/** The kept sample when it matches `key`; undefined when there is none or it does not match. */
export async function loadSample(dir: string, key: string): Promise<CorpusSample | undefined> {
  let meta: SampleMeta;
  try {
    meta = JSON.parse(await fs.readFile(path.join(dir, META_FILE), "utf8")) as SampleMeta;
  } catch {
    return undefined;
  }
  if (meta.key !== key) return undefined;
  let docs: SampledDoc[];
  try {
    docs = await readSampledDocs(path.join(dir, SAMPLE_DOCS_FILE));
  } catch {
    // a damaged file is a miss (sample again), never a silently shorter sample
    return undefined;
  }
  if (docs.length !== meta.train + meta.holdout) return undefined;
  return { train: docs.slice(0, meta.train), holdout: docs.slice(meta.train), docs: meta.docs, tokens: meta.tokens, rejected: meta.rejected };
}

/** Keeps `s` in `dir` under `key` (documents first, then the metadata that validates them). */
export async function saveSample(dir: string, key: string, s: CorpusSample): Promise<void> {
  await fs.rm(path.join(dir, META_FILE), { force: true });
  const w = await openRecordWriter(path.join(dir, SAMPLE_DOCS_FILE), SAMPLE_FILE_FORMAT, { level: SAMPLE_FILE_LEVEL });
  try {
    for (const d of [...s.train, ...s.holdout]) await w.write(sampledRecord(d));
  } catch (err) {
    await w.abort();
    throw err;
  }
  await w.commit();
  const meta: SampleMeta = { key, docs: s.docs, tokens: s.tokens, rejected: s.rejected, train: s.train.length, holdout: s.holdout.length };
  await writeFileAtomic(path.join(dir, META_FILE), JSON.stringify(meta) + "\n");
}
