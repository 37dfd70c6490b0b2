/** One interface for every embedder: texts in, L2-normalised float32 rows out (n × dim, row-major). */
export interface Embedder {
  readonly id: string;
  readonly dim: number;
  /** Fits embedder state (idf, projections) on a doc sample; a no-op for pretrained models. */
  fit?(sample: string[]): Promise<void>;
  embed(texts: string[]): Promise<Float32Array>;
  close?(): Promise<void>;
}

export interface EmbedderOptions {
  /** Directory of the on-disk embedding cache; no caching when absent. */
  cacheDir?: string;
  seed: number;
  log?: (m: string) => void;
}
