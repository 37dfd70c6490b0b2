/**
 * The file of select's built-in lexical classifier (`model/betr-linear.bin`): what a scoring
 * thread on any machine needs to score a document and name its nearest target example.
 *   "DTLIN001" | u32 header bytes | header JSON | pad to 4 | idf f32[buckets]
 *   | weights f32[folds × buckets] | target CSR (ptr i32[examples+1], idx i32[nnz], val f32[nnz])
 * Header: buckets, folds, fold salt, biases, C, and per target example its benchmark and index.
 */
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../../io/atomic.js";
import type { Csr } from "../../models/lexical/csr.js";

const MAGIC = "DTLIN001";

export interface LinearModelHeader {
  buckets: number;
  folds: number;
  /** Salt of the fold assignment uniform01(seed ^ salt, "<shard>:<line>"). */
  foldSeed: number;
  biases: number[];
  C: number;
  /** Target examples in row order of the target matrix: benchmark name and index in its file. */
  examples: Array<{ benchmark: string; index: number }>;
}

export interface LinearModel {
  header: LinearModelHeader;
  idf: Float32Array;
  /** Fold f's weights: weights.subarray(f * buckets, (f + 1) * buckets). */
  weights: Float32Array;
  targets: Csr;
}

export async function writeLinearModel(file: string, m: LinearModel): Promise<void> {
  const head = Buffer.from(JSON.stringify(m.header), "utf8");
  const pre = 8 + 4 + head.length;
  const pad = (4 - (pre % 4)) % 4;
  const fixed = Buffer.alloc(pre + pad);
  fixed.write(MAGIC, 0, "latin1");
  fixed.writeUInt32LE(head.length, 8);
  head.copy(fixed, 12);
  const t = m.targets;
  const u8 = (a: Float32Array | Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  await writeFileAtomic(file, [fixed, u8(m.idf), u8(m.weights), u8(t.ptr), u8(t.idx), u8(t.val)]);
}

export async function readLinearModel(file: string): Promise<LinearModel> {
  const buf = await readFile(file);
  const fail = (why: string): never => {
    throw new Error(`${file}: not a datatailor linear model (${why})`);
  };
  if (buf.length < 12 || buf.toString("latin1", 0, 8) !== MAGIC) fail("bad magic");
  const headLen = buf.readUInt32LE(8);
  const header = JSON.parse(buf.toString("utf8", 12, 12 + headLen)) as LinearModelHeader;
  let o = 12 + headLen;
  o += (4 - (o % 4)) % 4;
  // Copy into an aligned buffer once; the views below share it.
  const body = new Uint8Array(buf.length - o);
  body.set(buf.subarray(o));
  const ab = body.buffer;
  let p = 0;
  const f32 = (n: number) => {
    const a = new Float32Array(ab, p, n);
    p += n * 4;
    return a;
  };
  const i32 = (n: number) => {
    const a = new Int32Array(ab, p, n);
    p += n * 4;
    return a;
  };
  const B = header.buckets;
  const nEx = header.examples.length;
  if (body.length < (B * (1 + header.folds) + nEx + 1) * 4) fail("truncated");
  const idf = f32(B);
  const weights = f32(B * header.folds);
  const ptr = i32(nEx + 1);
  const nnz = ptr[nEx]!;
  if (p + nnz * 8 !== body.length) fail("truncated");
  const targets: Csr = { rows: nEx, ptr, idx: i32(nnz), val: f32(nnz) };
  return { header, idf, weights, targets };
}
