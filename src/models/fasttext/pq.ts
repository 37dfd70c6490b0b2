/**
 * fastText's ProductQuantizer: each row is cut into sub-vectors of `dsub` values (the last
 * may be shorter), and each sub-vector is replaced by the nearest of 256 k-means centroids.
 */
import type { ByteReader, ByteWriter } from "./bytes.js";
import { MinStd } from "./rng.js";

const NBITS = 8;
const KSUB = 1 << NBITS;
const MAX_POINTS_PER_CLUSTER = 256;
const MAX_POINTS = MAX_POINTS_PER_CLUSTER * KSUB;
const SEED = 1234;
const NITER = 25;
const EPS = 1e-7;

export class ProductQuantizer {
  nsubq: number;
  lastdsub: number;
  centroids: Float32Array;
  private rng = new MinStd(SEED);

  constructor(
    readonly dim: number,
    readonly dsub: number,
  ) {
    this.nsubq = Math.floor(dim / dsub);
    this.lastdsub = dim % dsub;
    if (this.lastdsub === 0) this.lastdsub = dsub;
    else this.nsubq++;
    this.centroids = new Float32Array(dim * KSUB);
  }

  centroidOffset(m: number, i: number): number {
    if (m === this.nsubq - 1) return m * KSUB * this.dsub + i * this.lastdsub;
    return (m * KSUB + i) * this.dsub;
  }

  mulcode(x: Float32Array, codes: Uint8Array, t: number, alpha: number): number {
    let res = 0;
    let d = this.dsub;
    const base = this.nsubq * t;
    const c = this.centroids;
    for (let m = 0; m < this.nsubq; m++) {
      const o = this.centroidOffset(m, codes[base + m]);
      if (m === this.nsubq - 1) d = this.lastdsub;
      const xo = m * this.dsub;
      for (let n = 0; n < d; n++) res += x[xo + n] * c[o + n];
    }
    return res * alpha;
  }

  addcode(x: Float32Array, codes: Uint8Array, t: number, alpha: number): void {
    let d = this.dsub;
    const base = this.nsubq * t;
    const c = this.centroids;
    for (let m = 0; m < this.nsubq; m++) {
      const o = this.centroidOffset(m, codes[base + m]);
      if (m === this.nsubq - 1) d = this.lastdsub;
      const xo = m * this.dsub;
      // float32 product, then float32 sum, as fastText computes real * real
      for (let n = 0; n < d; n++) x[xo + n] += Math.fround(alpha * c[o + n]);
    }
  }

  private shuffle(perm: Int32Array): void {
    for (let i = perm.length - 1; i > 0; i--) {
      const j = this.rng.uniformInt(i);
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
  }

  private assign(x: Float32Array, xo: number, c: Float32Array, co: number, d: number): number {
    let best = 0;
    let bestDis = Infinity;
    for (let k = 0; k < KSUB; k++) {
      let dis = 0;
      const o = co + k * d;
      for (let j = 0; j < d; j++) {
        const diff = x[xo + j] - c[o + j];
        dis += diff * diff;
      }
      if (dis < bestDis) {
        bestDis = dis;
        best = k;
      }
    }
    return best;
  }

  private kmeans(x: Float32Array, co: number, n: number, d: number): void {
    const c = this.centroids;
    const perm = new Int32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    this.shuffle(perm);
    for (let i = 0; i < KSUB; i++) for (let j = 0; j < d; j++) c[co + i * d + j] = x[perm[i] * d + j];
    const codes = new Uint8Array(n);
    const nelts = new Int32Array(KSUB);
    for (let it = 0; it < NITER; it++) {
      for (let i = 0; i < n; i++) codes[i] = this.assign(x, i * d, c, co, d);
      // M step
      nelts.fill(0);
      c.fill(0, co, co + KSUB * d);
      for (let i = 0; i < n; i++) {
        const k = codes[i];
        for (let j = 0; j < d; j++) c[co + k * d + j] += x[i * d + j];
        nelts[k]++;
      }
      for (let k = 0; k < KSUB; k++) if (nelts[k] !== 0) for (let j = 0; j < d; j++) c[co + k * d + j] /= nelts[k];
      // Empty clusters split a populated one, as fastText does.
      for (let k = 0; k < KSUB; k++) {
        if (nelts[k] !== 0) continue;
        let m = 0;
        while (this.rng.uniformReal(0, 1) * (n - nelts[m]) >= n - 1) m = (m + 1) % KSUB;
        for (let j = 0; j < d; j++) {
          const sign = (j % 2) * 2 - 1;
          c[co + k * d + j] = c[co + m * d + j] + sign * EPS;
          c[co + m * d + j] -= sign * EPS;
        }
        nelts[k] = Math.floor(nelts[m] / 2);
        nelts[m] -= nelts[k];
      }
    }
  }

  /** Trains the code books on n rows of `dim` values. */
  train(n: number, x: Float32Array): void {
    if (n < KSUB) throw new Error(`Matrix too small for quantization, must have at least ${KSUB} rows`);
    const perm = new Int32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    const np = Math.min(n, MAX_POINTS);
    let d = this.dsub;
    const slice = new Float32Array(np * this.dsub);
    for (let m = 0; m < this.nsubq; m++) {
      if (m === this.nsubq - 1) d = this.lastdsub;
      if (np !== n) this.shuffle(perm);
      for (let j = 0; j < np; j++) for (let k = 0; k < d; k++) slice[j * d + k] = x[perm[j] * this.dim + m * this.dsub + k];
      this.kmeans(slice, this.centroidOffset(m, 0), np, d);
    }
  }

  computeCodes(x: Float32Array, codes: Uint8Array, n: number): void {
    for (let i = 0; i < n; i++) {
      let d = this.dsub;
      for (let m = 0; m < this.nsubq; m++) {
        if (m === this.nsubq - 1) d = this.lastdsub;
        codes[i * this.nsubq + m] = this.assign(x, i * this.dim + m * this.dsub, this.centroids, this.centroidOffset(m, 0), d);
      }
    }
  }

  save(w: ByteWriter): void {
    w.i32(this.dim);
    w.i32(this.nsubq);
    w.i32(this.dsub);
    w.i32(this.lastdsub);
    w.f32s(this.centroids);
  }

  static load(r: ByteReader): ProductQuantizer {
    const dim = r.i32("pq dim");
    const nsubq = r.i32("pq nsubq");
    const dsub = r.i32("pq dsub");
    const lastdsub = r.i32("pq lastdsub");
    if (dim <= 0 || dsub <= 0 || nsubq <= 0 || dim * KSUB * 4 > r.buf.length - r.pos + 0) throw new Error(`invalid model file: product quantizer dim ${dim} dsub ${dsub}`);
    const pq = new ProductQuantizer(dim, dsub);
    if (pq.nsubq !== nsubq || pq.lastdsub !== lastdsub) throw new Error(`invalid model file: product quantizer layout ${nsubq}/${lastdsub}`);
    r.f32s(dim * KSUB, "pq centroids", pq.centroids);
    return pq;
  }
}
