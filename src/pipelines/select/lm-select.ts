/**
 * The language-model selection methods: CCNet's perplexity filter (Wenzek et al. 2020) with a
 * model the user gives, and Moore–Lewis cross-entropy difference (Moore & Lewis 2010) with two
 * n-gram models trained here in seconds: one on the target examples, one on an equal number of
 * tokens of the corpus sample. Both texts go through CCNet's normalisation, as scoring does.
 */
import { access } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import { writeFileAtomic } from "../../io/atomic.js";
import { arpaChunks } from "../../models/ngram/arpa-write.js";
import { fallbackDiscount } from "../../models/ngram/discount.js";
import { trainNgram } from "../../models/ngram/train.js";
import { ccnetNormalize } from "../../text/ccnet-normalize.js";
import { countWhitespaceWords } from "../../text/wordpunct.js";
import { usageError, UserError } from "../../util/errors.js";
import { LM_SPECS, parseLmSpec, type LmScheme } from "../../backends/lm/index.js";
import { redactUrl, urlHasCredentials } from "../../util/redact.js";
import type { SampledDoc } from "./sample.js";
import type { ScorerSpec } from "./scorer.js";

/**
 * `--lm` for perplexity selection, checked before any work (a usage error, exit 2): any language
 * model spec (`ngram:<file.arpa>`, `gguf:<file.gguf>`, `openai:<base-url>[#model]`).
 */
function checkPerplexityLm(spec: string | undefined): { scheme: LmScheme; arg: string } {
  if (!spec) throw usageError(`--method perplexity needs --lm (${LM_SPECS}); train an n-gram one with \`datatailor lm train\`, e.g. on Wikipedia text as CCNet does`);
  let parsed: { scheme: LmScheme; arg: string };
  try {
    parsed = parseLmSpec(spec);
  } catch (e) {
    throw usageError(`--lm: ${(e as Error).message}`);
  }
  // The spec travels to every shard job and into the output directory's records, so it must hold no secret.
  if (parsed.scheme === "openai" && urlHasCredentials(parsed.arg))
    throw usageError(`--lm openai:${redactUrl(parsed.arg)}: perplexity selection writes the model spec into the output directory for its shard jobs, so it takes no credentials in the URL; put the key in DATATAILOR_OPENAI_API_KEY or OPENAI_API_KEY (or name the variable with &key_env=VAR)`);
  return parsed;
}

/**
 * The scorer spec. File models are resolved to absolute paths and must exist; a server is
 * reached (and probed) when the scorer is loaded. CCNet's normalisation is on for n-gram models,
 * which are trained on normalised text (`lm train` on CCNet-normalised lines, as CCNet's KenLM
 * models are); GGUF models and servers read text as written, so it is off for them.
 */
export async function perplexityScorer(spec: string | undefined, o: { normalize?: boolean; workers?: number } = {}): Promise<ScorerSpec> {
  const normalize = o.normalize;
  const { scheme, arg } = checkPerplexityLm(spec);
  const norm = normalize ?? scheme === "ngram";
  if (scheme === "openai") return { kind: "perplexity", scheme, lm: arg, normalize: norm };
  const file = path.resolve(arg);
  await access(file).catch(() => {
    throw new UserError(`--lm ${scheme}:${arg}: no such model file`);
  });
  if (scheme === "ngram") return { kind: "perplexity", lm: file, normalize: norm };
  // llama.cpp spins its threads while it waits: one model per worker thread must share the cores, not each take them all
  return { kind: "perplexity", scheme, lm: file, normalize: norm, threads: Math.max(1, Math.floor(availableParallelism() / Math.max(1, o.workers ?? 1))) };
}

function normalisedLines(texts: Iterable<string>): string {
  const out: string[] = [];
  for (const t of texts) for (const line of t.split("\n")) out.push(ccnetNormalize(line));
  return out.join("\n") + "\n";
}

/** Trains an order-`order` model on the CCNet-normalised lines of `texts` and writes its ARPA file. */
export async function trainArpaOn(texts: Iterable<string>, order: number, file: string): Promise<void> {
  await trainArpa(normalisedLines(texts), order, file);
}

async function trainArpa(text: string, order: number, file: string): Promise<void> {
  // Small target sets leave some count-of-counts at 0: lmplz's --discount_fallback values then.
  // <s>, </s> and <unk> inside documents (WikiText writes <unk>) are read as whitespace, as lmplz --skip_symbols does.
  const m = trainNgram(new TextEncoder().encode(text), { order, fallback: fallbackDiscount(), skipSymbols: true });
  await writeFileAtomic(file, [...arpaChunks(m.trie, m.estimate, m.vocab)]);
}

export interface MooreLewisFitted {
  spec: ScorerSpec;
  targetTokens: number;
  corpusTokens: number;
  corpusDocs: number;
}

/** Trains the target and corpus models (order `order`) and returns the scorer that compares them. */
export async function fitMooreLewis(targets: string[], sample: SampledDoc[], opts: { order: number; modelDir: string; outDir: string }): Promise<MooreLewisFitted> {
  const targetTokens = targets.reduce((a, t) => a + countWhitespaceWords(t), 0);
  // An equal number of corpus tokens, in sample order (the sample is a uniform draw).
  const taken: string[] = [];
  let corpusTokens = 0;
  for (const d of sample) {
    if (corpusTokens >= targetTokens) break;
    taken.push(d.text);
    corpusTokens += d.tokens;
  }
  const target = path.join(opts.modelDir, "moore-lewis-target.arpa");
  const corpus = path.join(opts.modelDir, "moore-lewis-corpus.arpa");
  await trainArpa(normalisedLines(targets), opts.order, target);
  await trainArpa(normalisedLines(taken), opts.order, corpus);
  return { spec: { kind: "moore-lewis", target: path.relative(opts.outDir, target), corpus: path.relative(opts.outDir, corpus) }, targetTokens, corpusTokens, corpusDocs: taken.length };
}
