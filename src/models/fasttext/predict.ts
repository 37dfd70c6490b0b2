/**
 * Inference as fastText 0.9.2 computes it: hidden = mean of the input rows, then per loss
 * softmax, sigmoid table (ova/ns) or a best-first walk of the Huffman tree (hs). Float32
 * rounding is reproduced step by step so probabilities match the C++ output closely.
 */
import type { LossName } from "./args.js";
import type { Matrix } from "./matrix.js";
import { DenseMatrix } from "./matrix.js";
import { tsigmoid } from "./tables.js";
import { buildHsTree, type HsTree } from "./tree.js";

const f = Math.fround;

/** row(i) · v with float32 products and a float32 running sum, as DenseMatrix::dotRow. */
export function dotRowF32(m: Matrix, v: Float32Array, i: number): number {
  if (!(m instanceof DenseMatrix)) return f(m.dotRow(v, i));
  const n = m.cols;
  const d = m.data;
  const o = i * n;
  let s = 0;
  for (let j = 0; j < n; j++) s = f(s + f(d[o + j] * v[j]));
  return s;
}

/** fastText's std_log: log(x + 1e-5). Scores are kept as this, so printed p is p + 1e-5. */
export function stdLog(x: number): number {
  return f(Math.log(f(x) + 1e-5));
}

export interface Prediction {
  /** label index (0-based among labels) */
  index: number;
  prob: number;
}

export class Predictor {
  readonly hidden: Float32Array;
  private readonly hidden64: Float64Array;
  readonly output: Float32Array;
  private readonly tree: HsTree | null;
  // k-best heap over (log prob, index), reused between calls
  private heapScore = new Float64Array(16);
  private heapIdx = new Int32Array(16);
  private heapLen = 0;

  constructor(
    readonly input: Matrix,
    readonly out: Matrix,
    readonly loss: LossName,
    labelCounts: ArrayLike<number>,
  ) {
    this.hidden = new Float32Array(input.cols);
    this.hidden64 = new Float64Array(input.cols);
    this.output = new Float32Array(out.rows);
    this.tree = loss === "hs" ? buildHsTree(labelCounts) : null;
  }

  get nlabels(): number {
    return this.loss === "hs" ? this.tree!.osz : this.out.rows;
  }

  /** Model::computeHidden; returns false when there is no input row. */
  computeHidden(words: Int32Array, n: number): boolean {
    const h = this.hidden;
    h.fill(0);
    if (n === 0) return false;
    if (this.input instanceof DenseMatrix) this.input.addRowsToVector(h, words, n);
    else for (let k = 0; k < n; k++) this.input.addRowToVector(h, words[k]);
    const inv = f(1 / n);
    for (let j = 0; j < h.length; j++) h[j] *= inv;
    return true;
  }

  /** logits[i] = row(i) · hidden for every output row, four rows per pass over hidden. */
  private logits(): void {
    const out = this.output;
    const osz = out.length;
    if (!(this.out instanceof DenseMatrix)) {
      for (let i = 0; i < osz; i++) out[i] = this.out.dotRow(this.hidden, i);
      return;
    }
    const W = this.out.data;
    // a float64 copy of hidden keeps float32->float64 conversions out of the inner loop
    const h = this.hidden64;
    const dim = h.length;
    for (let j = 0; j < dim; j++) h[j] = this.hidden[j];
    let i = 0;
    for (; i + 4 <= osz; i += 4) {
      const o0 = i * dim;
      const o1 = o0 + dim;
      const o2 = o1 + dim;
      const o3 = o2 + dim;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      let t0 = 0,
        t1 = 0,
        t2 = 0,
        t3 = 0;
      let j = 0;
      for (; j + 2 <= dim; j += 2) {
        const x = h[j];
        const y = h[j + 1];
        s0 += W[o0 + j] * x;
        s1 += W[o1 + j] * x;
        s2 += W[o2 + j] * x;
        s3 += W[o3 + j] * x;
        t0 += W[o0 + j + 1] * y;
        t1 += W[o1 + j + 1] * y;
        t2 += W[o2 + j + 1] * y;
        t3 += W[o3 + j + 1] * y;
      }
      if (j < dim) {
        const x = h[j];
        s0 += W[o0 + j] * x;
        s1 += W[o1 + j] * x;
        s2 += W[o2 + j] * x;
        s3 += W[o3 + j] * x;
      }
      out[i] = s0 + t0;
      out[i + 1] = s1 + t1;
      out[i + 2] = s2 + t2;
      out[i + 3] = s3 + t3;
    }
    for (; i < osz; i++) out[i] = this.out.dotRow(this.hidden, i);
  }

  /** Fills `output` with p(label | hidden) for every label (softmax, ova, ns). */
  computeOutput(): void {
    const out = this.output;
    const osz = out.length;
    if (this.loss === "softmax") {
      // float64 accumulation here: softmax is smooth, the difference is ~1e-7
      this.logits();
      let max = -Infinity;
      for (let i = 0; i < osz; i++) if (out[i] > max) max = out[i];
      let z = 0;
      for (let i = 0; i < osz; i++) {
        out[i] = Math.exp(out[i] - max);
        z = f(z + out[i]);
      }
      for (let i = 0; i < osz; i++) out[i] = out[i] / z;
    } else {
      // the 512-step sigmoid table turns tiny differences into steps, so round as fastText does
      for (let i = 0; i < osz; i++) out[i] = tsigmoid(dotRowF32(this.out, this.hidden, i));
    }
  }

  /** Probability of one label for the current hidden vector, as predict-prob would print it. */
  labelProbability(label: number): number {
    if (this.loss === "hs") {
      // product of branch probabilities along the path, with fastText's log(x + 1e-5)
      const t = this.tree!;
      let score = 0;
      // summed root to leaf, in the order fastText's dfs adds them
      for (let k = t.pathStart[label + 1] - 1; k >= t.pathStart[label]; k--) {
        const p = f(1 / (1 + Math.exp(-f(this.out.dotRow(this.hidden, t.paths[k])))));
        score = f(score + stdLog(t.codes[k] ? p : f(1 - p)));
      }
      return f(Math.exp(score));
    }
    if (this.loss === "softmax") {
      this.computeOutput();
      return f(Math.exp(stdLog(this.output[label])));
    }
    return f(Math.exp(stdLog(tsigmoid(dotRowF32(this.out, this.hidden, label)))));
  }

  /** The smallest raw output value among the heap's labels. */
  private heapRaw(): number {
    return this.output[this.heapIdx[0]];
  }

  private heapPush(score: number, idx: number, k: number): void {
    // min-heap on score keeps the k best; ties resolved like std::push_heap on (score)
    if (this.heapLen + 1 > this.heapScore.length) {
      const s = new Float64Array(this.heapScore.length * 2);
      s.set(this.heapScore);
      const x = new Int32Array(this.heapIdx.length * 2);
      x.set(this.heapIdx);
      this.heapScore = s;
      this.heapIdx = x;
    }
    const hs = this.heapScore;
    const hi = this.heapIdx;
    let i = this.heapLen++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!(hs[p] > score)) break;
      hs[i] = hs[p];
      hi[i] = hi[p];
      i = p;
    }
    hs[i] = score;
    hi[i] = idx;
    if (this.heapLen > k) this.heapPop();
  }

  private heapPop(): void {
    const hs = this.heapScore;
    const hi = this.heapIdx;
    const n = --this.heapLen;
    const s = hs[n];
    const x = hi[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && hs[c + 1] < hs[c]) c++;
      if (!(hs[c] < s)) break;
      hs[i] = hs[c];
      hi[i] = hi[c];
      i = c;
    }
    hs[i] = s;
    hi[i] = x;
  }

  private dfs(k: number, logThreshold: number, node: number, score: number): void {
    const t = this.tree!;
    if (score < logThreshold) return;
    if (this.heapLen === k && score < this.heapScore[0]) return;
    if (t.left[node] === -1 && t.right[node] === -1) {
      this.heapPush(score, node, k);
      return;
    }
    const p = f(1 / (1 + Math.exp(-f(this.out.dotRow(this.hidden, node - t.osz)))));
    this.dfs(k, logThreshold, t.left[node], f(score + stdLog(f(1 - p))));
    this.dfs(k, logThreshold, t.right[node], f(score + stdLog(p)));
  }

  /** The k most likely labels with probability >= threshold, best first. */
  predict(words: Int32Array, n: number, k: number, threshold: number): Prediction[] {
    if (k <= 0) throw new RangeError("k needs to be 1 or higher");
    if (!this.computeHidden(words, n)) return [];
    this.heapLen = 0;
    if (this.loss === "hs") {
      const t = this.tree!;
      if (t.osz > 0) this.dfs(k, stdLog(threshold), 2 * t.osz - 2, 0);
    } else {
      this.computeOutput();
      const out = this.output;
      // stdLog is monotonic: a value below the heap's smallest (raw) value cannot enter it,
      // so most labels are rejected without computing a logarithm
      let minRaw = -Infinity;
      for (let i = 0; i < out.length; i++) {
        const o = out[i];
        if (o < threshold || o < minRaw) continue;
        const ls = stdLog(o);
        if (this.heapLen === k && ls < this.heapScore[0]) continue;
        this.heapPush(ls, i, k);
        if (this.heapLen === k) minRaw = this.heapRaw();
      }
    }
    const res: Prediction[] = [];
    for (let i = 0; i < this.heapLen; i++) res.push({ index: this.heapIdx[i], prob: f(Math.exp(this.heapScore[i])) });
    // best first; equal scores keep the lower label index first
    res.sort((a, b) => b.prob - a.prob || a.index - b.index);
    return res;
  }
}
