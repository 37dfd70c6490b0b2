/**
 * One fastText training thread (FastText::trainThread + Model::update + the losses), over a
 * pre-tokenized corpus held in typed arrays. Several threads may run this on the same
 * (shared) matrices at once without locks: Hogwild, as fastText does.
 *
 * One departure, for several threads only: softmax and one-vs-all update *every* output row on
 * every example, so two threads writing the same few hundred cache lines at once spend most of
 * their time passing them back and forth (measured: 2 threads 2.3x *slower* than 1 on
 * cooking.stackexchange's 735 labels). There each thread updates a private copy of the output
 * matrix and merges its change into the shared one every OUTPUT_MERGE_EVERY examples
 * (local SGD with a short period). Input rows are sparse and stay pure Hogwild; one thread
 * trains exactly as fastText does.
 */
import { MinStd } from "./rng.js";
import { tlog, tsigmoid } from "./tables.js";
import { buildHsTree, buildNegatives, type HsTree } from "./tree.js";
import { IntBuffer } from "./intbuf.js";
import { wordNgramBuckets } from "./hash.js";
import type { LossName } from "./args.js";

/** Token codes in the corpus stream: entry id (>= 0), OOV word (-1 - k), or a dropped label. */
export const DROPPED_LABEL = -0x80000000;

export interface TrainCorpus {
  tokens: Int32Array;
  /** nlines + 1 offsets into tokens */
  lineStarts: Int32Array;
  /** int32 hash of each dictionary word (for word n-grams) */
  wordHash: Int32Array;
  /** subwords of each word (CSR), used when maxn > 0 */
  subStart: Int32Array;
  subIds: Int32Array;
  /** OOV words: hash and subwords (CSR) */
  oovHash: Int32Array;
  oovSubStart: Int32Array;
  oovSubIds: Int32Array;
  ntokens: number;
}

export interface TrainParams {
  dim: number;
  nwords: number;
  nlabels: number;
  bucket: number;
  wordNgrams: number;
  maxn: number;
  loss: LossName;
  neg: number;
  lr: number;
  epoch: number;
  lrUpdateRate: number;
  seed: number;
  labelCounts: Float64Array;
}

export interface TrainShared {
  input: Float32Array;
  /** Output rows are kept in float64 while training (fewer conversions in the hottest loop). */
  output: Float64Array;
  /** [0]: tokens processed by all threads together */
  tokenCount: BigInt64Array;
  /** [0]: thread 0's running average loss */
  loss: Float64Array;
}

/** Examples between merges of a thread's private output rows into the shared matrix. */
export const OUTPUT_MERGE_EVERY = 16;

export class TrainThread {
  private readonly hidden: Float64Array;
  private readonly grad: Float64Array;
  private readonly out: Float64Array;
  private readonly rng: MinStd;
  private readonly words = new IntBuffer(256);
  private readonly labels = new IntBuffer(16);
  private readonly hashes = new IntBuffer(256);
  private readonly tree: HsTree | null;
  private readonly negatives: Int32Array | null;
  private readonly isTarget: Uint8Array;
  private readonly emit: (id: number) => void;
  /** Output rows this thread updates: the shared matrix, or its private copy (see top). */
  private wo: Float64Array;
  /** With a private copy: the shared values it started from at the last merge. */
  private woBase: Float64Array | null = null;
  private sinceMerge = 0;
  lossSum = 0;
  nexamples = 0;

  constructor(
    readonly p: TrainParams,
    readonly c: TrainCorpus,
    readonly s: TrainShared,
    readonly threadId: number,
  ) {
    this.hidden = new Float64Array(p.dim);
    this.grad = new Float64Array(p.dim);
    this.out = new Float64Array(p.nlabels);
    this.rng = new MinStd(threadId + p.seed);
    this.tree = p.loss === "hs" ? buildHsTree(p.labelCounts) : null;
    this.negatives = p.loss === "ns" ? buildNegatives(p.labelCounts) : null;
    this.isTarget = new Uint8Array(p.nlabels);
    const words = this.words;
    const nwords = p.nwords;
    this.emit = (id: number) => words.push(nwords + id);
    this.wo = s.output;
  }

  /** Adds this thread's output change since the last merge to the shared rows, then re-reads them. */
  private mergeOutput(): void {
    const shared = this.s.output;
    const local = this.wo;
    const base = this.woBase!;
    for (let j = 0; j < local.length; j++) {
      const v = shared[j] + (local[j] - base[j]);
      shared[j] = v;
      local[j] = v;
      base[j] = v;
    }
    this.sinceMerge = 0;
  }

  /** Rebuilds the input rows and labels of line `li` (Dictionary::getLine). Returns its token count. */
  private line(li: number): number {
    const { tokens, lineStarts, wordHash, subStart, subIds, oovHash, oovSubStart, oovSubIds } = this.c;
    const words = this.words;
    const labels = this.labels;
    const hashes = this.hashes;
    const nwords = this.p.nwords;
    const sub = this.p.maxn > 0;
    const ngrams = this.p.wordNgrams > 1;
    words.clear();
    labels.clear();
    hashes.clear();
    const a = lineStarts[li];
    const b = lineStarts[li + 1];
    for (let t = a; t < b; t++) {
      const v = tokens[t];
      if (v >= nwords) labels.push(v - nwords);
      else if (v >= 0) {
        if (sub) for (let k = subStart[v]; k < subStart[v + 1]; k++) words.push(subIds[k]);
        else words.push(v);
        if (ngrams) hashes.push(wordHash[v]);
      } else if (v !== DROPPED_LABEL) {
        const k = -1 - v;
        if (sub) for (let q = oovSubStart[k]; q < oovSubStart[k + 1]; q++) words.push(oovSubIds[q]);
        if (ngrams) hashes.push(oovHash[k]);
      }
    }
    if (ngrams) wordNgramBuckets(hashes.data, 0, hashes.len, this.p.wordNgrams, this.p.bucket, this.emit);
    return b - a;
  }

  /** Trains until the shared token count reaches epoch * ntokens. */
  run(nthreads: number, onTick?: (progress: number) => void): void {
    const p = this.p;
    const total = p.epoch * this.c.ntokens;
    const nlines = this.c.lineStarts.length - 1;
    if (nlines === 0 || total === 0) return;
    let li = Math.floor((this.threadId * nlines) / nthreads);
    let local = 0;
    let counter = 0;
    const tc = this.s.tokenCount;
    const dense = p.loss === "softmax" || p.loss === "ova";
    if (nthreads > 1 && dense) {
      this.wo = this.s.output.slice();
      this.woBase = this.wo.slice();
    }
    let done = Number(Atomics.load(tc, 0));
    while (done < total) {
      const progress = done / total;
      if (onTick && (counter++ & 63) === 0) onTick(progress);
      const lr = p.lr * (1 - progress);
      local += this.line(li);
      if (++li === nlines) li = 0;
      this.supervised(lr);
      if (this.woBase && ++this.sinceMerge === OUTPUT_MERGE_EVERY) this.mergeOutput();
      if (local > p.lrUpdateRate) {
        done = Number(Atomics.add(tc, 0, BigInt(local))) + local;
        local = 0;
        if (this.threadId === 0) this.s.loss[0] = this.nexamples ? this.lossSum / this.nexamples : 0;
      }
    }
    if (this.woBase) this.mergeOutput();
    if (this.threadId === 0) this.s.loss[0] = this.nexamples ? this.lossSum / this.nexamples : 0;
  }

  private supervised(lr: number): void {
    const words = this.words;
    const labels = this.labels;
    if (labels.len === 0 || words.len === 0) return;
    const n = words.len;
    const dim = this.p.dim;
    const wi = this.s.input;
    const hid = this.hidden;
    const grad = this.grad;
    const wd = words.data;
    // hidden = mean of the input rows; rows are added in order, four per pass over hidden
    // (each element sees the same additions in the same order as one row at a time)
    hid.fill(0);
    let k = 0;
    for (; k + 8 <= n; k += 8) {
      const o0 = wd[k] * dim;
      const o1 = wd[k + 1] * dim;
      const o2 = wd[k + 2] * dim;
      const o3 = wd[k + 3] * dim;
      const o4 = wd[k + 4] * dim;
      const o5 = wd[k + 5] * dim;
      const o6 = wd[k + 6] * dim;
      const o7 = wd[k + 7] * dim;
      for (let j = 0; j < dim; j++) hid[j] = hid[j] + wi[o0 + j] + wi[o1 + j] + wi[o2 + j] + wi[o3 + j] + wi[o4 + j] + wi[o5 + j] + wi[o6 + j] + wi[o7 + j];
    }
    for (; k + 4 <= n; k += 4) {
      const o0 = wd[k] * dim;
      const o1 = wd[k + 1] * dim;
      const o2 = wd[k + 2] * dim;
      const o3 = wd[k + 3] * dim;
      for (let j = 0; j < dim; j++) hid[j] = hid[j] + wi[o0 + j] + wi[o1 + j] + wi[o2 + j] + wi[o3 + j];
    }
    for (; k < n; k++) {
      const o = wd[k] * dim;
      for (let j = 0; j < dim; j++) hid[j] += wi[o + j];
    }
    const inv = 1 / n;
    for (let j = 0; j < dim; j++) hid[j] *= inv;
    grad.fill(0);
    let loss: number;
    const lossName = this.p.loss;
    if (lossName === "ova") {
      for (let k = 0; k < labels.len; k++) this.isTarget[labels.data[k]] = 1;
      loss = 0;
      for (let i = 0; i < this.p.nlabels; i++) loss += this.binaryLogistic(i, this.isTarget[i] === 1, lr);
      for (let k = 0; k < labels.len; k++) this.isTarget[labels.data[k]] = 0;
    } else {
      const target = labels.data[this.rng.uniformInt(labels.len - 1)];
      if (lossName === "softmax") loss = this.softmax(target, lr);
      else if (lossName === "hs") {
        const t = this.tree!;
        loss = 0;
        for (let k = t.pathStart[target]; k < t.pathStart[target + 1]; k++) loss += this.binaryLogistic(t.paths[k], t.codes[k] === 1, lr);
      } else {
        loss = this.binaryLogistic(target, true, lr);
        const neg = this.negatives!;
        for (let q = 0; q < this.p.neg; q++) {
          let m: number;
          // fastText loops until it draws a different label; with one label it would spin forever
          if (this.p.nlabels < 2) break;
          do m = neg[this.rng.uniformInt(neg.length - 1)];
          while (m === target);
          loss += this.binaryLogistic(m, false, lr);
        }
      }
    }
    this.lossSum += loss;
    this.nexamples++;
    // normalizeGradient (supervised), then every input row moves by the gradient
    for (let j = 0; j < dim; j++) grad[j] *= inv;
    // four rows per pass; a row listed twice is still updated twice, in order
    k = 0;
    for (; k + 4 <= n; k += 4) {
      const o0 = wd[k] * dim;
      const o1 = wd[k + 1] * dim;
      const o2 = wd[k + 2] * dim;
      const o3 = wd[k + 3] * dim;
      for (let j = 0; j < dim; j++) {
        const g = grad[j];
        wi[o0 + j] += g;
        wi[o1 + j] += g;
        wi[o2 + j] += g;
        wi[o3 + j] += g;
      }
    }
    for (; k < n; k++) {
      const o = wd[k] * dim;
      for (let j = 0; j < dim; j++) wi[o + j] += grad[j];
    }
  }

  private softmax(target: number, lr: number): number {
    const dim = this.p.dim;
    const wo = this.wo;
    const hid = this.hidden;
    const grad = this.grad;
    const out = this.out;
    const osz = this.p.nlabels;
    // logits, four output rows per pass over hidden
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
      for (let j = 0; j < dim; j++) {
        const x = hid[j];
        s0 += wo[o0 + j] * x;
        s1 += wo[o1 + j] * x;
        s2 += wo[o2 + j] * x;
        s3 += wo[o3 + j] * x;
      }
      out[i] = s0;
      out[i + 1] = s1;
      out[i + 2] = s2;
      out[i + 3] = s3;
    }
    for (; i < osz; i++) {
      const o = i * dim;
      let s0 = 0;
      for (let j = 0; j < dim; j++) s0 += wo[o + j] * hid[j];
      out[i] = s0;
    }
    let max = -Infinity;
    for (let q = 0; q < osz; q++) if (out[q] > max) max = out[q];
    let z = 0;
    for (let q = 0; q < osz; q++) {
      const e = Math.exp(out[q] - max);
      out[q] = e;
      z += e;
    }
    const iz = 1 / z;
    // alpha_i = lr * (1{i = target} - p_i); grad += alpha_i * w_i; w_i += alpha_i * hidden
    for (let q = 0; q < osz; q++) out[q] = lr * ((q === target ? 1 : 0) - out[q] * iz);
    const pTarget = out[target] / lr;
    i = 0;
    for (; i + 4 <= osz; i += 4) {
      const a0 = out[i],
        a1 = out[i + 1],
        a2 = out[i + 2],
        a3 = out[i + 3];
      const o0 = i * dim;
      const o1 = o0 + dim;
      const o2 = o1 + dim;
      const o3 = o2 + dim;
      for (let j = 0; j < dim; j++) {
        const x = hid[j];
        const w0 = wo[o0 + j],
          w1 = wo[o1 + j],
          w2 = wo[o2 + j],
          w3 = wo[o3 + j];
        grad[j] += a0 * w0 + a1 * w1 + (a2 * w2 + a3 * w3);
        wo[o0 + j] = w0 + a0 * x;
        wo[o1 + j] = w1 + a1 * x;
        wo[o2 + j] = w2 + a2 * x;
        wo[o3 + j] = w3 + a3 * x;
      }
    }
    for (; i < osz; i++) {
      const a = out[i];
      const o = i * dim;
      for (let j = 0; j < dim; j++) {
        const w = wo[o + j];
        grad[j] += a * w;
        wo[o + j] = w + a * hid[j];
      }
    }
    // out[target] now holds lr * (1 - p); recover p for the loss
    return -tlog(1 - pTarget);
  }

  private binaryLogistic(row: number, positive: boolean, lr: number): number {
    const dim = this.p.dim;
    const wo = this.wo;
    const hid = this.hidden;
    const grad = this.grad;
    const o = row * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) s += wo[o + j] * hid[j];
    const score = tsigmoid(s);
    const alpha = lr * ((positive ? 1 : 0) - score);
    for (let j = 0; j < dim; j++) {
      const w = wo[o + j];
      grad[j] += alpha * w;
      wo[o + j] = w + alpha * hid[j];
    }
    return positive ? -tlog(score) : -tlog(1 - score);
  }
}
