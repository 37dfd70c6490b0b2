/**
 * fastText 0.9.2 arguments: names, supervised-mode defaults, and the 56-byte args block of
 * the .bin header (12 int32 fields then `t` as a float64, in Args::save order).
 */
import type { ByteReader, ByteWriter } from "./bytes.js";

export type LossName = "hs" | "ns" | "softmax" | "ova";
export type ModelName = "cbow" | "sg" | "supervised";

export interface FastTextArgs {
  lr: number;
  lrUpdateRate: number;
  dim: number;
  ws: number;
  epoch: number;
  minCount: number;
  minCountLabel: number;
  neg: number;
  wordNgrams: number;
  loss: LossName;
  model: ModelName;
  bucket: number;
  minn: number;
  maxn: number;
  thread: number;
  t: number;
  label: string;
  verbose: number;
  seed: number;
  // quantization options (used by `quantize`, not stored in the model file)
  qout: boolean;
  retrain: boolean;
  qnorm: boolean;
  cutoff: number;
  dsub: number;
}

export const LOSS_CODE: Record<LossName, number> = { hs: 1, ns: 2, softmax: 3, ova: 4 };
export const MODEL_CODE: Record<ModelName, number> = { cbow: 1, sg: 2, supervised: 3 };

/** The values `fasttext supervised` starts from (Args() then the supervised overrides). */
export function supervisedDefaults(): FastTextArgs {
  return {
    lr: 0.1,
    lrUpdateRate: 100,
    dim: 100,
    ws: 5,
    epoch: 5,
    minCount: 1,
    minCountLabel: 0,
    neg: 5,
    wordNgrams: 1,
    loss: "softmax",
    model: "supervised",
    bucket: 2000000,
    minn: 0,
    maxn: 0,
    thread: 12,
    t: 1e-4,
    label: "__label__",
    verbose: 2,
    seed: 0,
    qout: false,
    retrain: false,
    qnorm: false,
    cutoff: 0,
    dsub: 2,
  };
}

/**
 * Fills in defaults and applies fastText's own rule that a model without word n-grams or
 * char n-grams needs no hash buckets (parseArgs sets bucket = 0), so files match the CLI's.
 */
export function resolveArgs(partial: Partial<FastTextArgs> = {}): FastTextArgs {
  const a: FastTextArgs = { ...supervisedDefaults() };
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) (a as unknown as Record<string, unknown>)[k] = v;
  if (a.wordNgrams <= 1 && a.maxn === 0) a.bucket = 0;
  validateArgs(a);
  return a;
}

export function validateArgs(a: FastTextArgs): void {
  const ints: Array<keyof FastTextArgs> = ["dim", "ws", "epoch", "minCount", "minCountLabel", "neg", "wordNgrams", "bucket", "minn", "maxn", "thread", "lrUpdateRate", "cutoff", "dsub"];
  for (const k of ints) {
    const v = a[k] as number;
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new RangeError(`fastText argument ${k} must be a non-negative integer, got ${v}`);
  }
  if (a.dim < 1) throw new RangeError("fastText argument dim must be >= 1");
  if (a.epoch < 1) throw new RangeError("fastText argument epoch must be >= 1");
  if (a.thread < 1) throw new RangeError("fastText argument thread must be >= 1");
  if (a.wordNgrams < 1) throw new RangeError("fastText argument wordNgrams must be >= 1");
  if (a.dsub < 1) throw new RangeError("fastText argument dsub must be >= 1");
  if (!(a.lr > 0) || !Number.isFinite(a.lr)) throw new RangeError(`fastText argument lr must be > 0, got ${a.lr}`);
  if (!(a.loss in LOSS_CODE)) throw new RangeError(`unknown loss '${a.loss}' (hs, ns, softmax, ova)`);
  if (a.model !== "supervised") throw new RangeError("only supervised models are supported");
  if (a.maxn > 0 && a.minn > a.maxn) throw new RangeError("fastText argument minn must be <= maxn");
  if ((a.wordNgrams > 1 || a.maxn > 0) && a.bucket === 0) throw new RangeError("bucket must be > 0 when wordNgrams > 1 or maxn > 0");
  if (a.label.length === 0) throw new RangeError("label prefix must not be empty");
}

export function writeArgs(w: ByteWriter, a: FastTextArgs): void {
  w.i32(a.dim);
  w.i32(a.ws);
  w.i32(a.epoch);
  w.i32(a.minCount);
  w.i32(a.neg);
  w.i32(a.wordNgrams);
  w.i32(LOSS_CODE[a.loss]);
  w.i32(MODEL_CODE[a.model]);
  w.i32(a.bucket);
  w.i32(a.minn);
  w.i32(a.maxn);
  w.i32(a.lrUpdateRate);
  w.f64(a.t);
}

function nameOf<T extends string>(codes: Record<T, number>, code: number, what: string): T {
  for (const [k, v] of Object.entries(codes) as Array<[T, number]>) if (v === code) return k;
  throw new Error(`invalid ${what} code ${code} in model file`);
}

/** Reads the args block; fields not stored in the file keep their supervised defaults. */
export function readArgs(r: ByteReader): FastTextArgs {
  const a = supervisedDefaults();
  a.dim = r.i32();
  a.ws = r.i32();
  a.epoch = r.i32();
  a.minCount = r.i32();
  a.neg = r.i32();
  a.wordNgrams = r.i32();
  a.loss = nameOf(LOSS_CODE, r.i32(), "loss");
  a.model = nameOf(MODEL_CODE, r.i32(), "model");
  a.bucket = r.i32();
  a.minn = r.i32();
  a.maxn = r.i32();
  a.lrUpdateRate = r.i32();
  a.t = r.f64();
  if (a.dim <= 0 || a.bucket < 0) throw new Error(`invalid model file: dim ${a.dim}, bucket ${a.bucket}`);
  return a;
}
