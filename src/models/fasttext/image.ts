/**
 * A dense model's .bin file laid out in one SharedArrayBuffer before training: the input
 * matrix, most of the file, is trained in place (4-byte aligned by `pad` leading bytes), and
 * once the output rows are written in, the buffer *is* the file. Saving writes it as is, and the
 * threads that score with the model can share it instead of each reading the file again.
 */
import { writeArgs, type FastTextArgs } from "./args.js";
import { ByteWriter } from "./bytes.js";
import type { Dictionary } from "./dictionary.js";
import { FASTTEXT_MAGIC, FASTTEXT_VERSION } from "./model.js";

export class DenseModelImage {
  readonly buffer: SharedArrayBuffer;
  /** Zero bytes before the file's first byte. */
  readonly pad: number;
  /** The input matrix's values, in place. */
  readonly input: Float32Array;
  private readonly outputAt: number;

  constructor(
    args: FastTextArgs,
    dict: Dictionary,
    readonly rows: number,
    readonly dim: number,
    readonly nlabels: number,
  ) {
    const w = new ByteWriter(1 << 16);
    w.i32(FASTTEXT_MAGIC);
    w.i32(FASTTEXT_VERSION);
    writeArgs(w, args);
    dict.save(w);
    w.u8(0); // dense input
    w.i64(rows);
    w.i64(dim);
    const head = w.result();
    this.pad = (4 - (head.length & 3)) & 3;
    const inputBytes = rows * dim * 4;
    this.outputAt = this.pad + head.length + inputBytes;
    // qout flag + output rows and cols + values
    this.buffer = new SharedArrayBuffer(this.outputAt + 1 + 16 + nlabels * dim * 4);
    new Uint8Array(this.buffer).set(head, this.pad);
    this.input = new Float32Array(this.buffer, this.pad + head.length, rows * dim);
  }

  /** Writes the trained output rows (as float32, like fastText) in; returns them as a matrix's values. */
  finish(output: ArrayLike<number>): Float32Array {
    const values = Float32Array.from(output);
    const w = new ByteWriter(17);
    w.u8(0); // dense output
    w.i64(this.nlabels);
    w.i64(this.dim);
    const bytes = new Uint8Array(this.buffer);
    bytes.set(w.result(), this.outputAt);
    bytes.set(new Uint8Array(values.buffer), this.outputAt + 17);
    return values;
  }

  /** The file's bytes. */
  bytes(): Uint8Array {
    return new Uint8Array(this.buffer, this.pad);
  }
}
