/**
 * datatailor's fastText: train, load, save, predict and test supervised classifiers that are
 * file-compatible with fastText 0.9.2 (.bin and .ftz), in TypeScript.
 *
 * Text given to `predict`/`probability` is one line: newlines inside it act as spaces and
 * the line ends with `</s>`, as `fasttext predict` treats a line of its input file.
 */
import { promises as fs } from "node:fs";
import { writeFileAtomic } from "../../io/atomic.js";
import { readWholeFile } from "../../io/whole-file.js";
import { FastTextModel, IntBuffer, inputMatrixOffset, quantizeModel, resolveArgs, DenseMatrix, TrainThread, type FastTextArgs, type QuantizeOptions } from "../../models/fasttext/index.js";
import { trainModel, type TrainOptions } from "./train.js";
import type { LabeledText } from "./corpus.js";
import { forEachLine } from "./lines.js";

export type { LabeledText } from "./corpus.js";
export type { FastTextArgs } from "../../models/fasttext/index.js";
export type { TrainProgress, TrainOptions } from "./train.js";
export { forEachLine } from "./lines.js";

export interface TestResult {
  n: number;
  precision: number;
  recall: number;
  /** Per label, in the model's label order (fastText `test-label`); NaN where undefined (0/0). */
  labels: LabelMetrics[];
}

export interface LabelMetrics {
  label: string;
  f1: number;
  precision: number;
  recall: number;
  /** examples carrying the label, predictions of it, and correct predictions of it */
  gold: number;
  predicted: number;
  predictedGold: number;
}

export class FastText {
  readonly labels: string[];
  private readonly labelIndex = new Map<string, number>();

  private constructor(readonly model: FastTextModel) {
    this.labels = model.dict.labels;
    this.labels.forEach((l, i) => this.labelIndex.set(l, i));
  }

  get args(): FastTextArgs {
    return this.model.args;
  }
  get quantized(): boolean {
    return this.model.quantInput;
  }

  static async train(args: Partial<FastTextArgs>, input: string | Iterable<LabeledText> | AsyncIterable<LabeledText>, opts: TrainOptions = {}): Promise<FastText> {
    return new FastText(await trainModel(resolveArgs(args), input, opts));
  }

  static async loadFile(path: string): Promise<FastText> {
    // 3 spare bytes after the content (see fromBytes)
    const buf = await readWholeFile(path, (size) => ({ buffer: new ArrayBuffer(size + 3) }));
    try {
      // the buffer is ours: the matrices are views of it (3 spare bytes let them be aligned)
      return new FastText(FastTextModel.fromBytes(buf, { owned: true, slack: 3 }));
    } catch (err) {
      throw new Error(`${path}: ${(err as Error).message}`);
    }
  }

  /**
   * Loads a model from a read-only image shared between threads (see `alignedPad`): the input
   * matrix is used in place when its values are 4-byte aligned in `buf`, so threads share one
   * copy; everything else is parsed per thread. `buf` must not change afterwards.
   */
  static fromSharedBytes(buf: Uint8Array, what = "model"): FastText {
    try {
      return new FastText(FastTextModel.fromBytes(buf, { shared: true }));
    } catch (err) {
      throw new Error(`${what}: ${(err as Error).message}`);
    }
  }

  /**
   * Bytes to put before a model file's content in memory so that its input matrix is 4-byte
   * aligned (0-3); reads only the header and dictionary.
   */
  static async alignedPad(path: string): Promise<number> {
    const fh = await fs.open(path, "r");
    try {
      const { size } = await fh.stat();
      for (let n = Math.min(size, 1 << 20); ; n = Math.min(size, n * 4)) {
        const { buffer, bytesRead } = await fh.read(new Uint8Array(n), 0, n, 0);
        try {
          return (4 - (inputMatrixOffset(buffer.subarray(0, bytesRead)) & 3)) & 3;
        } catch (err) {
          // a prefix cut inside the dictionary fails one way or another: read more, up to all of it
          if (n >= size) throw new Error(`${path}: ${(err as Error).message}`);
        }
      }
    } finally {
      await fh.close();
    }
  }

  /** Loads a model image; `buf` is not kept (the matrices are copied out of it). */
  static fromBuffer(buf: Uint8Array): FastText {
    return new FastText(FastTextModel.fromBytes(buf));
  }

  toBuffer(): Uint8Array {
    return this.model.toBytes();
  }

  async saveFile(path: string): Promise<void> {
    await writeFileAtomic(path, this.model.toChunks());
  }

  predict(text: string, k = 1, threshold = 0): Array<{ label: string; prob: number }> {
    return this.model.predictText(text, k, threshold).map((p) => ({ label: this.labels[p.index], prob: p.prob }));
  }

  predictBatch(texts: readonly string[], k = 1, threshold = 0): Array<Array<{ label: string; prob: number }>> {
    return texts.map((t) => this.predict(t, k, threshold));
  }

  /** p(label | text) as `predict-prob` prints it for that label (0 when the text has no known token). */
  probability(text: string, label: string): number {
    const i = this.labelIndex.get(label);
    if (i === undefined) throw new RangeError(`label '${label}' is not in the model (labels: ${this.labels.slice(0, 5).join(", ")}${this.labels.length > 5 ? ", ..." : ""})`);
    return this.model.probabilityOf(text, i);
  }

  /** fastText's `test`: precision and recall at k over lines that have labels. */
  async test(input: string | Iterable<LabeledText> | AsyncIterable<LabeledText>, k = 1, threshold = 0): Promise<TestResult> {
    const m = new Meter(this.labels.length);
    const words = new IntBuffer(256);
    const labels = new IntBuffer(16);
    const dict = this.model.dict;
    const line = (buf: Uint8Array, s: number, e: number, eos: boolean) => {
      dict.lineFeatures(buf, s, e, eos, words, labels);
      if (labels.len === 0 || words.len === 0) return;
      const preds = this.model.predictor.predict(words.data, words.len, k, threshold);
      m.log(labels, preds.map((p) => p.index));
    };
    if (typeof input === "string") await forEachLine(input, line);
    else {
      const enc = new TextEncoder();
      const each = (ex: LabeledText) => {
        const b = enc.encode(ex.labels.join(" ") + " " + ex.text);
        line(b, 0, b.length, true);
      };
      if (Symbol.asyncIterator in input) for await (const ex of input as AsyncIterable<LabeledText>) each(ex);
      else for (const ex of input as Iterable<LabeledText>) each(ex);
    }
    return m.result(this.labels);
  }

  /**
   * fastText's `print-sentence-vectors` for a supervised model: the mean of the input rows of a
   * line's features (words, word n-grams, subwords, </s>; labels left out), accumulated in
   * float32 as fastText does. The same vector the classifier's hidden layer sees.
   */
  sentenceVector(buf: Uint8Array, start = 0, end = buf.length, eos = true, out = new Float32Array(this.args.dim)): Float32Array {
    const m = this.model;
    const words = (this.sentenceWords ??= new IntBuffer(256));
    const labels = (this.sentenceLabels ??= new IntBuffer(16));
    out.fill(0);
    m.dict.lineFeatures(buf, start, end, eos, words, labels);
    for (let k = 0; k < words.len; k++) m.input.addRowToVector(out, words.data[k]!);
    if (words.len > 0) {
      const inv = Math.fround(1 / words.len);
      for (let j = 0; j < out.length; j++) out[j] = Math.fround(out[j]! * inv);
    }
    return out;
  }
  private sentenceWords?: IntBuffer;
  private sentenceLabels?: IntBuffer;

  /**
   * Product-quantizes the model (fastText `quantize`): optional -cutoff keeps the rows with
   * the largest norms, -retrain fine-tunes the pruned model on `retrainInput` first.
   */
  async quantize(opts: QuantizeOptions & { retrainInput?: string; epoch?: number; lr?: number } = {}): Promise<FastText> {
    let retrain: ((m: FastTextModel) => void) | undefined;
    if (opts.retrainInput) {
      const buf = await fs.readFile(opts.retrainInput);
      retrain = (pruned) => retrainPruned(pruned, buf, opts.epoch ?? this.args.epoch, opts.lr ?? this.args.lr);
    }
    return new FastText(quantizeModel(this.model, { ...opts, retrain }));
  }
}


/** Fine-tunes a pruned model in place on the training text, one thread, as fastText's -retrain. */
function retrainPruned(model: FastTextModel, buf: Uint8Array, epoch: number, lr: number): void {
  const dict = model.dict;
  const words = new IntBuffer(256);
  const labels = new IntBuffer(16);
  const tokens: number[] = [];
  const lineStarts: number[] = [0];
  // Encode lines as precomputed feature lists: with a pruned dictionary the n-gram ids go
  // through the prune index, so features are stored directly (ids >= 0 as words, labels after).
  let s = 0;
  let ntokens = 0;
  while (s < buf.length) {
    let nl = buf.indexOf(0x0a, s);
    const eos = nl >= 0;
    if (nl < 0) nl = buf.length;
    ntokens += dict.lineFeatures(buf, s, nl, eos, words, labels);
    for (let i = 0; i < words.len; i++) tokens.push(words.data[i]);
    for (let i = 0; i < labels.len; i++) tokens.push(dict.nwords + labels.data[i]);
    lineStarts.push(tokens.length);
    s = nl + 1;
  }
  const input = model.input as DenseMatrix;
  const output = model.output as DenseMatrix;
  const out64 = Float64Array.from(output.data);
  const t = new TrainThread(
    { dim: model.args.dim, nwords: input.rows, nlabels: dict.nlabels, bucket: 0, wordNgrams: 1, maxn: 0, loss: model.args.loss, neg: model.args.neg, lr, epoch, lrUpdateRate: model.args.lrUpdateRate, seed: model.args.seed, labelCounts: dict.labelCounts() },
    {
      // features are final row ids; labels are shifted past all input rows
      tokens: Int32Array.from(tokens, (v) => (v >= dict.nwords ? v - dict.nwords + input.rows : v)),
      lineStarts: Int32Array.from(lineStarts),
      wordHash: new Int32Array(input.rows),
      subStart: new Int32Array(1),
      subIds: new Int32Array(0),
      oovHash: new Int32Array(0),
      oovSubStart: new Int32Array(1),
      oovSubIds: new Int32Array(0),
      ntokens: Math.max(ntokens, tokens.length),
    },
    { input: input.data, output: out64, tokenCount: new BigInt64Array(1), loss: new Float64Array(1) },
    0,
  );
  t.run(1);
  output.data.set(out64);
}

/** fastText's Meter: general metrics and, per label, gold / predicted / correctly predicted counts. */
class Meter {
  n = 0;
  gold = 0;
  predicted = 0;
  predictedGold = 0;
  private readonly labelGold: Float64Array;
  private readonly labelPredicted: Float64Array;
  private readonly labelPredictedGold: Float64Array;

  constructor(nlabels: number) {
    this.labelGold = new Float64Array(nlabels);
    this.labelPredicted = new Float64Array(nlabels);
    this.labelPredictedGold = new Float64Array(nlabels);
  }

  log(labels: IntBuffer, preds: number[]): void {
    this.n++;
    this.gold += labels.len;
    this.predicted += preds.length;
    for (const p of preds) {
      this.labelPredicted[p]!++;
      for (let i = 0; i < labels.len; i++)
        if (labels.data[i] === p) {
          this.predictedGold++;
          this.labelPredictedGold[p]!++;
          break;
        }
    }
    // every occurrence counts, as in fastText (a label given twice is gold twice)
    for (let i = 0; i < labels.len; i++) this.labelGold[labels.data[i]!]!++;
  }

  result(names: string[]): TestResult {
    const labels = names.map((label, i) => {
      const gold = this.labelGold[i]!;
      const predicted = this.labelPredicted[i]!;
      const predictedGold = this.labelPredictedGold[i]!;
      return {
        label,
        f1: predicted + gold === 0 ? NaN : (2 * predictedGold) / (predicted + gold),
        precision: predicted === 0 ? NaN : predictedGold / predicted,
        recall: gold === 0 ? NaN : predictedGold / gold,
        gold,
        predicted,
        predictedGold,
      };
    });
    return { n: this.n, precision: this.predictedGold / this.predicted, recall: this.predictedGold / this.gold, labels };
  }
}
