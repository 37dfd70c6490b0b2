/**
 * Built-in embedders that download nothing and run on CPU, all over sublinear tf-idf of hashed
 * word unigrams + bigrams (idf fitted on the sample given to `fit`):
 *   tfidf:D  unsigned hashing of the tf-idf vector into D buckets
 *   hash:D   signed hashing (a count sketch: a sparse random projection) into D dims
 *   lsa:D    projection onto the top-D latent subspace of the sample (randomized SVD)
 * Without `fit`, idf is 1 and lsa refuses to embed.
 */
import { createHash } from "node:crypto";
import { fmix32 } from "../../text/hash.js";
import { countFeatures, FEATURE_BITS, SparseCounts } from "./features.js";
import { IdfTable, normaliseRow, tfidfWeights } from "./idf.js";
import { fitLsa, type LsaModel } from "./lsa.js";
import type { Embedder } from "./types.js";

export type LocalKind = "tfidf" | "hash" | "lsa";

/** Most docs the fit looks at (a seeded subsample beyond that): idf and LSA settle well before. */
export const MAX_FIT_DOCS = 20000;

export class LocalEmbedder implements Embedder {
  private readonly idf = new IdfTable();
  private lsa: LsaModel | null = null;
  private fitTag = "unfitted";
  private readonly counts = new SparseCounts();
  private readonly weights = new Float32Array(1 << FEATURE_BITS);

  constructor(
    readonly kind: LocalKind,
    readonly dim: number,
    private readonly seed: number,
  ) {
    if (!Number.isInteger(dim) || dim < 2 || dim > 65536) throw new Error(`${kind}: dimension must be an integer in 2..65536, got ${dim}`);
    if (kind === "tfidf" && (dim & (dim - 1)) !== 0) throw new Error(`tfidf: dimension must be a power of two, got ${dim}`);
  }

  /** Embedder id: kind, dimension and a digest of the fit sample, so cached vectors never mix fits. */
  get id(): string {
    return `${this.kind}:${this.dim}:${this.fitTag}`;
  }

  async fit(sample: string[]): Promise<void> {
    const docs = sample.length > MAX_FIT_DOCS ? subsample(sample, MAX_FIT_DOCS, this.seed) : sample;
    const h = createHash("sha256");
    h.update(`seed ${this.seed}\n`);
    for (const t of docs) h.update(`${Buffer.byteLength(t)}:`).update(t);
    this.fitTag = h.digest("hex").slice(0, 16);
    this.idf.fit(docs, this.counts);
    if (this.kind === "lsa") this.lsa = fitLsa(docs, this.idf, this.dim, this.seed);
  }

  async embed(texts: string[]): Promise<Float32Array> {
    return this.embedSync(texts);
  }

  embedSync(texts: string[]): Float32Array {
    if (this.kind === "lsa" && !this.lsa) throw new Error("lsa embedder: call fit(sample) before embed");
    const dim = this.dim;
    const out = new Float32Array(texts.length * dim);
    const counts = this.counts;
    const w = this.weights;
    const idf = this.idf.idf;
    for (let r = 0; r < texts.length; r++) {
      countFeatures(texts[r]!, counts);
      tfidfWeights(counts, idf, w);
      const o = r * dim;
      if (this.kind === "tfidf") {
        for (let i = 0; i < counts.size; i++) out[o + (counts.ids[i]! & (dim - 1))]! += w[i]!;
      } else if (this.kind === "hash") {
        for (let i = 0; i < counts.size; i++) {
          const h = fmix32(counts.ids[i]!);
          out[o + ((h >>> 1) % dim)]! += h & 1 ? w[i]! : -w[i]!;
        }
      } else {
        const { rowOf, P } = this.lsa!;
        for (let i = 0; i < counts.size; i++) {
          const row = rowOf[counts.ids[i]!]!;
          if (row < 0) continue;
          const v = w[i]!;
          const p = row * dim;
          for (let k = 0; k < dim; k++) out[o + k]! += v * P[p + k]!;
        }
      }
      normaliseRow(out, r, dim);
    }
    return out;
  }
}

function subsample(texts: string[], k: number, seed: number): string[] {
  const s = fmix32(seed ^ 0x27d4eb2f);
  const keyed = texts.map((_, i) => [fmix32(s ^ fmix32(i)), i] as const);
  keyed.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return keyed
    .slice(0, k)
    .map((x) => x[1])
    .sort((a, b) => a - b)
    .map((i) => texts[i]!);
}
