/** The pure fastText core: no I/O, no workers. */
export * from "./args.js";
export { ByteReader, ByteWriter } from "./bytes.js";
export { Dictionary, WORD, LABEL } from "./dictionary.js";
export { fnv1a, wordNgramBuckets } from "./hash.js";
export { IntBuffer } from "./intbuf.js";
export { DenseMatrix, QuantMatrix, type Matrix } from "./matrix.js";
export { ProductQuantizer } from "./pq.js";
export { Predictor, type Prediction } from "./predict.js";
export { FastTextModel, FASTTEXT_MAGIC, FASTTEXT_VERSION, inputMatrixOffset } from "./model.js";
export { DenseModelImage } from "./image.js";
export { MinStd } from "./rng.js";
export { EOS, IS_SPACE } from "./tokenizer.js";
export { TrainThread, DROPPED_LABEL, type TrainCorpus, type TrainParams, type TrainShared } from "./train-core.js";
export { quantizeModel, type QuantizeOptions } from "./quantize.js";
