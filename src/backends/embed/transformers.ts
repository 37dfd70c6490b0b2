/**
 * A local sentence-embedding model through @huggingface/transformers: a heavy optional backend
 * (~450 MB with onnxruntime) that a default `npm ci` leaves out; `datatailor backends install
 * transformers` adds it (src/util/optional.ts), and it is imported only when this embedder
 * is asked for. Local files only: remote models are disabled,
 * the model directory is the whole source of truth, and the library's cache directory is kept
 * out of node_modules. Vectors are mean-pooled over the attention mask and L2-normalised.
 *
 * The directory holds what transformers.js expects: config.json, tokenizer.json,
 * tokenizer_config.json and onnx/model.onnx (fp32; other dtypes by their usual file names).
 */
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { UserError } from "../../util/errors.js";
import { loadOptional } from "../../util/optional.js";
import type { Embedder, EmbedderOptions } from "./types.js";

/** The part of transformers.js used here (the package is not a compile-time dependency). */
interface TransformersLib {
  env: { allowRemoteModels: boolean; allowLocalModels: boolean; localModelPath: string; cacheDir: string };
  pipeline(task: "feature-extraction", model: string, opts: { local_files_only: boolean; dtype: string }): Promise<unknown>;
}

/** Texts per forward pass: bounds memory for long inputs. */
const BATCH = 32;

type Extractor = ((texts: string[], o: { pooling: "mean"; normalize: boolean }) => Promise<{ data: Float32Array; dims: number[] }>) & {
  dispose?: () => Promise<void>;
};

export async function createTransformersEmbedder(dir: string, opts: EmbedderOptions): Promise<Embedder> {
  const abs = path.resolve(dir);
  for (const f of ["config.json", "tokenizer.json"]) {
    if (!existsSync(path.join(abs, f))) throw new UserError(`embedder transformers:${dir}: ${path.join(abs, f)} is missing (a local model directory needs config.json, tokenizer.json and onnx/model.onnx)`);
  }
  // Not installed: a one-line error naming `datatailor backends install transformers`.
  const lib = await loadOptional<TransformersLib>("transformers");
  lib.env.allowRemoteModels = false;
  lib.env.allowLocalModels = true;
  lib.env.localModelPath = path.dirname(abs) + path.sep;
  lib.env.cacheDir = opts.cacheDir ? path.join(opts.cacheDir, "transformers") : path.join(tmpdir(), "datatailor-transformers-cache");
  let extractor: Extractor;
  try {
    extractor = (await lib.pipeline("feature-extraction", path.basename(abs), { local_files_only: true, dtype: "fp32" })) as unknown as Extractor;
  } catch (e) {
    throw new UserError(`embedder transformers:${dir}: could not load the model (${(e as Error).message.split("\n")[0]})`);
  }
  const probe = await extractor(["probe"], { pooling: "mean", normalize: true });
  const dim = probe.dims[probe.dims.length - 1]!;
  opts.log?.(`loaded transformers model ${abs} (dim ${dim})`);
  return new TransformersEmbedder(`transformers:${abs}`, dim, extractor);
}

class TransformersEmbedder implements Embedder {
  constructor(
    readonly id: string,
    readonly dim: number,
    private readonly extractor: Extractor,
  ) {}

  async embed(texts: string[]): Promise<Float32Array> {
    const out = new Float32Array(texts.length * this.dim);
    for (let s = 0; s < texts.length; s += BATCH) {
      const t = await this.extractor(texts.slice(s, s + BATCH), { pooling: "mean", normalize: true });
      out.set(t.data.subarray(0, Math.min(BATCH, texts.length - s) * this.dim), s * this.dim);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.extractor.dispose?.();
  }
}
