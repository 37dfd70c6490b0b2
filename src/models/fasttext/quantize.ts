/**
 * FastText::quantize: optionally keep only the `cutoff` input rows with the largest norms
 * (the `</s>` row first), prune the dictionary accordingly, then product-quantize the input
 * matrix (and the output matrix with -qout). Retraining after the cutoff is done by the
 * caller (it needs the training loop), through `retrain`.
 */
import { DenseMatrix, QuantMatrix } from "./matrix.js";
import { FastTextModel } from "./model.js";
import { EOS } from "./tokenizer.js";
import { ByteReader, ByteWriter } from "./bytes.js";
import { Dictionary } from "./dictionary.js";

export interface QuantizeOptions {
  cutoff?: number;
  dsub?: number;
  qnorm?: boolean;
  qout?: boolean;
  /** Called after pruning with the reduced dense model, to fine-tune it before quantizing. */
  retrain?: (pruned: FastTextModel) => void;
}

export function quantizeModel(model: FastTextModel, opts: QuantizeOptions = {}): FastTextModel {
  if (!(model.input instanceof DenseMatrix) || !(model.output instanceof DenseMatrix)) throw new Error("model is already quantized");
  const dsub = opts.dsub ?? 2;
  const args = { ...model.args, qout: opts.qout ?? false, qnorm: opts.qnorm ?? false, dsub, cutoff: opts.cutoff ?? 0 };
  // work on copies: the source model stays usable
  const w = new ByteWriter();
  model.dict.save(w);
  const dict = Dictionary.load(new ByteReader(w.result()), model.args);
  let input = new DenseMatrix(model.input.rows, model.input.cols, model.input.data.slice());
  const output = new DenseMatrix(model.output.rows, model.output.cols, model.output.data.slice());
  const cutoff = opts.cutoff ?? 0;
  if (cutoff > 0 && cutoff < input.rows) {
    const norms = new Float32Array(input.rows);
    for (let i = 0; i < input.rows; i++) norms[i] = input.l2NormRow(i);
    const eos = dict.idOf(EOS);
    const idx = Array.from({ length: input.rows }, (_, i) => i);
    idx.sort((a, b) => (a === eos ? -1 : b === eos ? 1 : norms[b] - norms[a] || a - b));
    const kept = dict.prune(idx.slice(0, cutoff));
    const dim = input.cols;
    const pruned = new DenseMatrix(kept.length, dim);
    for (let i = 0; i < kept.length; i++) pruned.data.set(input.data.subarray(kept[i] * dim, kept[i] * dim + dim), i * dim);
    input = pruned;
    if (opts.retrain) opts.retrain(new FastTextModel(args, dict, input, output, false));
  }
  const qin = QuantMatrix.fromDense(input, dsub, args.qnorm);
  const qoutM = args.qout ? QuantMatrix.fromDense(output, 2, args.qnorm) : output;
  return new FastTextModel(args, dict, qin, qoutM, true);
}
