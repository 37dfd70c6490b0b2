/**
 * Matrices behind fastText's input and output layers. A dense matrix is a row-major
 * Float32Array (possibly over a SharedArrayBuffer for Hogwild training); a quantized one is
 * a product-quantized code book (read from .ftz files, written by `quantize`).
 */
import type { ByteReader, ByteWriter } from "./bytes.js";
import { MinStd } from "./rng.js";
import { ProductQuantizer } from "./pq.js";

export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** sum_j row(i)[j] * v[j] */
  dotRow(v: Float32Array, i: number): number;
  /** v += a * row(i) */
  addRowToVector(v: Float32Array, i: number, a?: number): void;
  save(w: ByteWriter): void;
}

export class DenseMatrix implements Matrix {
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly data: Float32Array = new Float32Array(rows * cols),
  ) {
    if (data.length !== rows * cols) throw new Error(`matrix data has ${data.length} values, expected ${rows}x${cols}`);
  }

  /**
   * DenseMatrix::uniform as in fastText 0.9.2: the data is cut in ten blocks and only the
   * first `thread` blocks are filled, block b from minstd_rand(b + seed). (With fewer than ten
   * threads fastText leaves the rest at zero; we reproduce that so models start identically.)
   */
  uniform(a: number, thread: number, seed: number): void {
    const total = this.rows * this.cols;
    const blockSize = Math.floor(total / 10);
    const lo = -Math.fround(a);
    const hi = Math.fround(a);
    const blocks = thread > 1 ? thread : 1;
    for (let b = 0; b < blocks; b++) {
      const rng = new MinStd(b + seed);
      const end = Math.min(total, blockSize * (b + 1));
      for (let i = blockSize * b; i < end; i++) this.data[i] = rng.uniformReal(lo, hi);
    }
  }

  dotRow(v: Float32Array, i: number): number {
    const n = this.cols;
    const d = this.data;
    const o = i * n;
    const n4 = n - (n & 3);
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    let j = 0;
    for (; j < n4; j += 4) {
      s0 += d[o + j] * v[j];
      s1 += d[o + j + 1] * v[j + 1];
      s2 += d[o + j + 2] * v[j + 2];
      s3 += d[o + j + 3] * v[j + 3];
    }
    for (; j < n; j++) s0 += d[o + j] * v[j];
    return s0 + s1 + (s2 + s3);
  }

  /**
   * v += row(ids[0]) + ... + row(ids[count-1]), added one row after the other in float32 as
   * fastText's computeHidden does. Four rows go through v per pass: each element still sees
   * the same sequence of float32 additions (so the result is bit-identical), but v is loaded
   * and stored an eighth as often and the rows' cache misses overlap (rows of a large model
   * are random reads from memory: this, not the arithmetic, bounds inference speed).
   */
  addRowsToVector(v: Float32Array, ids: Int32Array, count: number): void {
    const n = this.cols;
    const d = this.data;
    const f = Math.fround;
    let k = 0;
    for (; k + 8 <= count; k += 8) {
      const o0 = ids[k] * n;
      const o1 = ids[k + 1] * n;
      const o2 = ids[k + 2] * n;
      const o3 = ids[k + 3] * n;
      const o4 = ids[k + 4] * n;
      const o5 = ids[k + 5] * n;
      const o6 = ids[k + 6] * n;
      const o7 = ids[k + 7] * n;
      for (let j = 0; j < n; j++) {
        const a = f(f(f(f(v[j] + d[o0 + j]) + d[o1 + j]) + d[o2 + j]) + d[o3 + j]);
        v[j] = f(f(f(f(a + d[o4 + j]) + d[o5 + j]) + d[o6 + j]) + d[o7 + j]);
      }
    }
    for (; k + 4 <= count; k += 4) {
      const o0 = ids[k] * n;
      const o1 = ids[k + 1] * n;
      const o2 = ids[k + 2] * n;
      const o3 = ids[k + 3] * n;
      for (let j = 0; j < n; j++) v[j] = f(f(f(f(v[j] + d[o0 + j]) + d[o1 + j]) + d[o2 + j]) + d[o3 + j]);
    }
    for (; k < count; k++) {
      const o = ids[k] * n;
      for (let j = 0; j < n; j++) v[j] += d[o + j];
    }
  }

  addRowToVector(v: Float32Array, i: number, a = 1): void {
    const n = this.cols;
    const d = this.data;
    const o = i * n;
    if (a === 1) for (let j = 0; j < n; j++) v[j] += d[o + j];
    else for (let j = 0; j < n; j++) v[j] += a * d[o + j];
  }

  l2NormRow(i: number): number {
    const n = this.cols;
    const o = i * n;
    let s = 0;
    for (let j = 0; j < n; j++) s += this.data[o + j] * this.data[o + j];
    return Math.fround(Math.sqrt(s));
  }

  save(w: ByteWriter): void {
    w.i64(this.rows);
    w.i64(this.cols);
    w.f32s(this.data);
  }

  static load(r: ByteReader, what: string): DenseMatrix {
    const m = r.i64(`${what} rows`);
    const n = r.i64(`${what} cols`);
    if (m < 0 || n < 0 || m * n * 4 > r.buf.length - r.pos) throw new Error(`model file truncated or invalid: ${what} matrix ${m}x${n} does not fit in the rest of the file`);
    return new DenseMatrix(m, n, r.f32sView(m * n, `${what} matrix`));
  }
}

export class QuantMatrix implements Matrix {
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly qnorm: boolean,
    readonly codes: Uint8Array,
    readonly pq: ProductQuantizer,
    readonly normCodes: Uint8Array | null,
    readonly npq: ProductQuantizer | null,
  ) {}

  private norm(i: number): number {
    return this.qnorm ? this.npq!.centroids[this.npq!.centroidOffset(0, this.normCodes![i])] : 1;
  }

  dotRow(v: Float32Array, i: number): number {
    return this.pq.mulcode(v, this.codes, i, this.norm(i));
  }

  addRowToVector(v: Float32Array, i: number, a = 1): void {
    this.pq.addcode(v, this.codes, i, Math.fround(a * this.norm(i)));
  }

  /** Quantizes a dense matrix (QuantMatrix(DenseMatrix&&, dsub, qnorm)); `mat` is modified. */
  static fromDense(mat: DenseMatrix, dsub: number, qnorm: boolean): QuantMatrix {
    const m = mat.rows;
    const n = mat.cols;
    let normCodes: Uint8Array | null = null;
    let npq: ProductQuantizer | null = null;
    if (qnorm) {
      const norms = new Float32Array(m);
      for (let i = 0; i < m; i++) {
        norms[i] = mat.l2NormRow(i);
        if (norms[i] !== 0) for (let j = 0; j < n; j++) mat.data[i * n + j] /= norms[i];
      }
      npq = new ProductQuantizer(1, 1);
      npq.train(m, norms);
      normCodes = new Uint8Array(m);
      npq.computeCodes(norms, normCodes, m);
    }
    const pq = new ProductQuantizer(n, dsub);
    pq.train(m, mat.data);
    const codes = new Uint8Array(m * pq.nsubq);
    pq.computeCodes(mat.data, codes, m);
    return new QuantMatrix(m, n, qnorm, codes, pq, normCodes, npq);
  }

  save(w: ByteWriter): void {
    w.u8(this.qnorm ? 1 : 0);
    w.i64(this.rows);
    w.i64(this.cols);
    w.i32(this.codes.length);
    w.bytes(this.codes);
    this.pq.save(w);
    if (this.qnorm) {
      w.bytes(this.normCodes!);
      this.npq!.save(w);
    }
  }

  static load(r: ByteReader, what: string): QuantMatrix {
    const qnorm = r.u8(`${what} qnorm`) !== 0;
    const m = r.i64(`${what} rows`);
    const n = r.i64(`${what} cols`);
    const codesize = r.i32(`${what} codesize`);
    if (codesize < 0 || codesize > r.buf.length - r.pos) throw new Error(`invalid model file: ${what} codesize ${codesize}`);
    const codes = r.bytes(codesize, `${what} codes`);
    const pq = ProductQuantizer.load(r);
    if (pq.dim !== n || codesize !== m * pq.nsubq) throw new Error(`invalid model file: ${what} quantizer does not match a ${m}x${n} matrix`);
    let normCodes: Uint8Array | null = null;
    let npq: ProductQuantizer | null = null;
    if (qnorm) {
      normCodes = r.bytes(m, `${what} norm codes`);
      npq = ProductQuantizer.load(r);
    }
    return new QuantMatrix(m, n, qnorm, codes, pq, normCodes, npq);
  }
}
