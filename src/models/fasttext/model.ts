/**
 * A fastText model in memory (args, dictionary, input and output matrices) and its .bin /
 * .ftz layout: magic 793712314, version 12, args, dictionary, quant flag, input matrix,
 * qout flag, output matrix.
 */
import { readArgs, writeArgs, type FastTextArgs } from "./args.js";
import { ByteReader, ByteWriter, type ByteReaderOptions } from "./bytes.js";
import { Dictionary } from "./dictionary.js";
import type { DenseModelImage } from "./image.js";
import { DenseMatrix, QuantMatrix, type Matrix } from "./matrix.js";
import { Predictor, type Prediction } from "./predict.js";
import { IntBuffer } from "./intbuf.js";
import { Utf8Scratch } from "./tokenizer.js";

export const FASTTEXT_MAGIC = 793712314;
export const FASTTEXT_VERSION = 12;

export class FastTextModel {
  readonly predictor: Predictor;
  /**
   * The .bin file in one shared buffer, when the model was trained into it: its matrices are
   * views of (or, for the output rows, equal to) what lies there.
   */
  image?: DenseModelImage;
  private readonly words = new IntBuffer(256);
  private readonly utf8 = new Utf8Scratch();

  constructor(
    readonly args: FastTextArgs,
    readonly dict: Dictionary,
    readonly input: Matrix,
    readonly output: Matrix,
    readonly quantInput = input instanceof QuantMatrix,
  ) {
    if (input.cols !== args.dim || output.cols !== args.dim) throw new Error(`matrix width ${input.cols}/${output.cols} does not match dim ${args.dim}`);
    this.predictor = new Predictor(input, output, args.loss, dict.labelCounts());
  }

  get qout(): boolean {
    return this.output instanceof QuantMatrix;
  }

  /** Input rows of one text treated as a single line ending in `</s>` (newlines act as spaces). */
  features(text: string): IntBuffer {
    const n = this.utf8.encode(text);
    this.dict.lineFeatures(this.utf8.buf, 0, n, true, this.words, null);
    return this.words;
  }

  predictText(text: string, k: number, threshold: number): Prediction[] {
    const w = this.features(text);
    return this.predictor.predict(w.data, w.len, k, threshold);
  }

  /** p(label) for the text; 0 when the text has no known feature (fastText predicts nothing). */
  probabilityOf(text: string, labelIndex: number): number {
    const w = this.features(text);
    if (!this.predictor.computeHidden(w.data, w.len)) return 0;
    return this.predictor.labelProbability(labelIndex);
  }

  /**
   * The .bin/.ftz image as consecutive pieces: dense matrices' values are views of their data,
   * not copies, so saving a model of hundreds of MB does not build a second copy of it.
   */
  toChunks(): Uint8Array[] {
    if (this.image) return [this.image.bytes()];
    const chunks: Uint8Array[] = [];
    let w = new ByteWriter(1 << 16);
    const matrix = (m: Matrix) => {
      if (!(m instanceof DenseMatrix)) return m.save(w);
      w.i64(m.rows);
      w.i64(m.cols);
      chunks.push(w.result(), new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength));
      w = new ByteWriter(64);
    };
    w.i32(FASTTEXT_MAGIC);
    w.i32(FASTTEXT_VERSION);
    writeArgs(w, this.args);
    this.dict.save(w);
    w.u8(this.quantInput ? 1 : 0);
    matrix(this.input);
    w.u8(this.qout ? 1 : 0);
    matrix(this.output);
    if (w.length) chunks.push(w.result());
    return chunks;
  }

  /** The .bin/.ftz image in one buffer. */
  toBytes(): Uint8Array {
    const chunks = this.toChunks();
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  /**
   * Parses a .bin/.ftz image. With `owned`, the caller hands the buffer over: the matrices
   * become views of it (aligned in place using `slack` spare bytes after it) instead of copies.
   */
  static fromBytes(buf: Uint8Array, opts: ByteReaderOptions = {}): FastTextModel {
    const r = new ByteReader(buf, opts);
    const { args, dict } = readHead(r);
    const quantInput = r.u8("quant flag") !== 0;
    const input = quantInput ? QuantMatrix.load(r, "input") : DenseMatrix.load(r, "input");
    if (!quantInput && dict.pruneidxSize >= 0) throw new Error("invalid model file: pruned dictionary with a dense input matrix");
    args.qout = r.u8("qout flag") !== 0;
    const output = quantInput && args.qout ? QuantMatrix.load(r, "output") : DenseMatrix.load(r, "output");
    if (r.pos !== buf.length) throw new Error(`invalid model file: ${buf.length - r.pos} trailing bytes`);
    if (output.rows !== dict.nlabels) throw new Error(`invalid model file: ${output.rows} output rows for ${dict.nlabels} labels`);
    if (input.rows !== dict.nwords + args.bucket && dict.pruneidxSize < 0) throw new Error(`invalid model file: ${input.rows} input rows for ${dict.nwords} words + ${args.bucket} buckets`);
    return new FastTextModel(args, dict, input, output, quantInput);
  }
}

/**
 * Byte offset of the input matrix's values in a model file, from a prefix of it (the header
 * and dictionary; throws "truncated" when the prefix is too short). Lets a file be placed in
 * memory so that those values are 4-byte aligned and can be used in place.
 */
export function inputMatrixOffset(prefix: Uint8Array): number {
  const r = new ByteReader(prefix);
  readHead(r);
  const quantInput = r.u8("quant flag") !== 0;
  if (!quantInput) {
    r.i64("input rows");
    r.i64("input cols");
  }
  return r.pos;
}

/** Magic, version, arguments and dictionary: everything before the matrices. */
function readHead(r: ByteReader): { args: FastTextArgs; dict: Dictionary } {
  if (r.buf.length < 8) throw new Error("not a fastText model: file is shorter than its header");
  const magic = r.i32();
  const version = r.i32();
  if (magic !== FASTTEXT_MAGIC) throw new Error(`not a fastText model: bad magic number ${magic}`);
  if (version > FASTTEXT_VERSION) throw new Error(`fastText model version ${version} is newer than supported (${FASTTEXT_VERSION})`);
  const args = readArgs(r);
  // fastText: models of version 11 had no char n-grams in supervised mode
  if (version === 11 && args.model === "supervised") args.maxn = 0;
  if (args.model !== "supervised") throw new Error(`only supervised fastText models are supported (this one is ${args.model})`);
  return { args, dict: Dictionary.load(r, args) };
}
