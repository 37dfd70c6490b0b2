/**
 * Embedders behind one interface. Specs:
 *   (none)                      the built-in default, DEFAULT_EMBEDDER (chosen by bench/embed.ts, see docs/embedders.md)
 *   lsa[:D] | tfidf[:D] | hash[:D]  built-in CPU embedders (src/backends/embed/local.ts)
 *   transformers:<model dir>    a local ONNX model through @huggingface/transformers (never downloads)
 *   openai:<base url>[#model]   an OpenAI-compatible /v1/embeddings server; key from DATATAILOR_OPENAI_API_KEY or OPENAI_API_KEY
 * With `cacheDir`, vectors are cached on disk by embedder id and text hash.
 */
import { UserError, usageError } from "../../util/errors.js";
import { CachedEmbedder } from "./cache.js";
import { LocalEmbedder, type LocalKind } from "./local.js";
import { createOpenAiEmbedder } from "./openai.js";
import { createTransformersEmbedder } from "./transformers.js";
import type { Embedder, EmbedderOptions } from "./types.js";
import { redact } from "../../util/redact.js";

export type { Embedder, EmbedderOptions } from "./types.js";
export { LocalEmbedder } from "./local.js";
export { CachedEmbedder, EmbeddingCache } from "./cache.js";

export const DEFAULT_EMBEDDER = "lsa:128";
const LOCAL_DEFAULT_DIM: Record<LocalKind, number> = { lsa: 128, tfidf: 4096, hash: 1024 };

export const EMBEDDER_SPECS = "lsa[:D], tfidf[:D], hash[:D], transformers:<model dir>, openai:<base url>[#model]";

/** Checks a spec's form before any work starts (a typo should not cost a pass over the corpus). */
export function checkEmbedderSpec(spec: string): void {
  const colon = spec.indexOf(":");
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const arg = colon < 0 ? "" : spec.slice(colon + 1);
  if (kind === "lsa" || kind === "tfidf" || kind === "hash") {
    if (arg !== "" && !(Number.isInteger(Number(arg)) && Number(arg) > 0)) throw usageError(`embedder ${spec}: the dimension must be a positive integer`);
  } else if (kind === "transformers" || kind === "openai") {
    if (!arg) throw usageError(`embedder ${kind}: give ${kind === "openai" ? "the server's base URL, e.g. openai:http://127.0.0.1:8080/v1#bge-small" : "a local model directory, e.g. transformers:./models/bge-small"}`);
  } else throw usageError(`unknown embedder "${redact(spec)}"; use lexical (the default) or one of ${EMBEDDER_SPECS}`);
}

export async function createEmbedder(spec: string | undefined, opts: EmbedderOptions): Promise<Embedder> {
  const s = (spec ?? "").trim() || DEFAULT_EMBEDDER;
  const inner = await createInner(s, opts);
  return opts.cacheDir ? new CachedEmbedder(inner, opts.cacheDir) : inner;
}

async function createInner(spec: string, opts: EmbedderOptions): Promise<Embedder> {
  const colon = spec.indexOf(":");
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const arg = colon < 0 ? "" : spec.slice(colon + 1);
  switch (kind) {
    case "lsa":
    case "tfidf":
    case "hash": {
      const dim = arg === "" ? LOCAL_DEFAULT_DIM[kind] : Number(arg);
      if (!Number.isInteger(dim)) throw new UserError(`embedder ${spec}: the dimension must be an integer`);
      try {
        return new LocalEmbedder(kind, dim, opts.seed);
      } catch (e) {
        throw new UserError(`embedder ${spec}: ${(e as Error).message}`);
      }
    }
    case "transformers":
      if (!arg) throw new UserError("embedder transformers: give a local model directory, e.g. transformers:./models/bge-small");
      return createTransformersEmbedder(arg, opts);
    case "openai":
      if (!arg) throw new UserError("embedder openai: give the server's base URL, e.g. openai:http://127.0.0.1:8080/v1#bge-small");
      return createOpenAiEmbedder(arg, opts);
    default:
      throw new UserError(`unknown embedder "${redact(spec)}"; use one of ${EMBEDDER_SPECS}`);
  }
}
