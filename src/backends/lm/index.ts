/**
 * Language models behind one interface (types.ts). Specs, like the embedders':
 *   ngram:<file.arpa[.gz]>                 a built-in n-gram LM (KenLM-exact; ngram.ts)
 *   gguf:<file.gguf>                       a local model run by llama.cpp (node-llama-cpp, installed on demand)
 *   openai:<base-url>[#model][&key_env=V]  an OpenAI-compatible server's /v1/completions (vLLM, SGLang)
 * Each backend is imported only when its scheme is used. `scoreTexts` adds what every caller
 * wants around `score`: batches, progress with rate and ETA, and cancellation between batches.
 */
import { UserError, usageError } from "../../util/errors.js";
import { createProgress } from "../../util/progress.js";
import type { LanguageModel, ScoredText, TokenizerIdentity } from "./types.js";

export type { LanguageModel, ScoredText, ScoredToken, TokenizerIdentity, ScoreOptions, GenerateOptions } from "./types.js";

export const LM_SCHEMES = ["ngram", "gguf", "openai"] as const;
export type LmScheme = (typeof LM_SCHEMES)[number];
export const LM_SPECS = "ngram:<file.arpa>, gguf:<file.gguf>, openai:<base-url>[#model]";

export interface OpenLmOptions {
  log?: (m: string) => void;
  /** gguf: context window in tokens; parallel sequences; llama.cpp threads. */
  contextSize?: number;
  sequences?: number;
  threads?: number;
  /** openai: response cache directory (false: none), prompts per request, requests in flight. */
  cacheDir?: string | false;
  batchSize?: number;
  concurrency?: number;
  maxRetries?: number;
  /** openai: backoff base and cap in ms (full jitter). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  env?: Record<string, string | undefined>;
}

/** Splits `scheme:arg`; an unknown or missing scheme is a usage error that lists the schemes. */
export function parseLmSpec(spec: string): { scheme: LmScheme; arg: string } {
  const s = spec.trim();
  const colon = s.indexOf(":");
  const scheme = colon < 0 ? s : s.slice(0, colon);
  const arg = colon < 0 ? "" : s.slice(colon + 1);
  if (!(LM_SCHEMES as readonly string[]).includes(scheme)) {
    const shown = scheme.length > 40 ? scheme.slice(0, 40) + "…" : scheme;
    throw usageError(`unknown language model scheme "${shown}"; use one of ${LM_SPECS}`);
  }
  if (!arg) throw usageError(`language model ${scheme}: needs an argument, e.g. ${LM_SPECS.split(", ").find((x) => x.startsWith(scheme))}`);
  return { scheme: scheme as LmScheme, arg };
}

export async function openLanguageModel(spec: string, opts: OpenLmOptions = {}): Promise<LanguageModel> {
  const { scheme, arg } = parseLmSpec(spec);
  switch (scheme) {
    case "ngram": {
      const { openNgram } = await import("./ngram.js");
      return openNgram(arg);
    }
    case "gguf": {
      const { openGguf } = await import("./gguf.js");
      return openGguf(arg, { log: opts.log, contextSize: opts.contextSize, sequences: opts.sequences, threads: opts.threads });
    }
    case "openai": {
      const { openOpenAi } = await import("./openai.js");
      return openOpenAi(arg, { log: opts.log, cacheDir: opts.cacheDir, batchSize: opts.batchSize, concurrency: opts.concurrency, maxRetries: opts.maxRetries, baseDelayMs: opts.baseDelayMs, maxDelayMs: opts.maxDelayMs, env: opts.env });
    }
  }
}

export interface ScoreTextsOptions {
  /** Texts handed to the model per call (default 64): bounds memory and sets the cancellation grain. */
  batchSize?: number;
  /** Progress label; no progress output when undefined. */
  label?: string;
  signal?: AbortSignal;
  /** Called after each batch with the texts done so far. */
  onBatch?: (done: number, total: number) => void;
}

/** Scores all texts in batches, with progress (rate, ETA) on stderr and cancellation between batches. */
export async function scoreTexts(lm: LanguageModel, texts: string[], opts: ScoreTextsOptions = {}): Promise<ScoredText[]> {
  const batch = Math.max(1, opts.batchSize ?? 64);
  const progress = opts.label ? createProgress({ label: opts.label, unit: "texts", total: texts.length }) : null;
  const out: ScoredText[] = new Array(texts.length);
  try {
    for (let s = 0; s < texts.length; s += batch) {
      opts.signal?.throwIfAborted();
      const part = texts.slice(s, s + batch);
      let reported = 0;
      const res = await lm.score(part, {
        signal: opts.signal,
        onProgress: (done) => {
          progress?.tick(done - reported);
          reported = done;
        },
      });
      progress?.tick(part.length - reported);
      for (let k = 0; k < res.length; k++) out[s + k] = res[k]!;
      opts.onBatch?.(Math.min(texts.length, s + batch), texts.length);
    }
  } finally {
    progress?.stop();
  }
  return out;
}

export interface TextScore {
  /** Sum of ln p over the scored tokens. */
  logprob: number;
  tokens: number;
  /** exp(−logprob / tokens); NaN for a text with no scored token. */
  perplexity: number;
  oov: number;
}

export function summarize(s: ScoredText): TextScore {
  let lp = 0;
  let oov = 0;
  for (const t of s.tokens) {
    lp += t.logprob;
    if (t.oov) oov++;
  }
  const n = s.tokens.length;
  return { logprob: lp, tokens: n, perplexity: n > 0 ? Math.exp(-lp / n) : NaN, oov };
}

/** True when both identities name the same tokenizer (same kind, vocabulary and hash). */
export function sameTokenizer(a: TokenizerIdentity, b: TokenizerIdentity): boolean {
  return a.kind === b.kind && a.hash === b.hash && a.vocabSize === b.vocabSize;
}

/**
 * For per-token comparisons (adapt's token-level change, tune's in/out-of-domain diffs): throws a
 * one-line UserError naming both tokenizers when two models do not share one.
 */
export function assertSameTokenizer(a: LanguageModel, b: LanguageModel): void {
  if (sameTokenizer(a.tokenizer, b.tokenizer)) return;
  const d = (m: LanguageModel) => `${m.id} (${m.tokenizer.kind}, ${m.tokenizer.vocabSize || "?"} tokens, ${m.tokenizer.hash.slice(0, 12)})`;
  throw new UserError(`the two language models tokenize differently, so their tokens cannot be compared one by one: ${d(a)} vs ${d(b)}`);
}
