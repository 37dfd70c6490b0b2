/**
 * The language-model selection methods: CCNet's perplexity filter (Wenzek et al. 2020) with a
 * model the user gives, and Moore–Lewis cross-entropy difference (Moore & Lewis 2010) with two
 * n-gram models trained here in seconds: one on the target examples, one on an equal number of
 * tokens of the corpus sample. Both texts go through CCNet's normalisation, as scoring does.
 */
import { access } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../../io/atomic.js";
import { arpaChunks } from "../../models/ngram/arpa-write.js";
import { fallbackDiscount } from "../../models/ngram/discount.js";
import { trainNgram } from "../../models/ngram/train.js";
import { ccnetNormalize } from "../../text/ccnet-normalize.js";
import { countWhitespaceWords } from "../../text/wordpunct.js";
import { usageError, UserError } from "../../util/errors.js";
import type { SampledDoc } from "./sample.js";
import type { ScorerSpec } from "./scorer.js";

/** `--lm` for perplexity selection: `ngram:<file.arpa[.gz]>` (the scorers run inside shard jobs, synchronously). */
/** The form of `--lm` for perplexity selection, checked before any work (a usage error, exit 2). */
export function checkPerplexityLm(spec: string | undefined): string {
  if (!spec) throw usageError("--method perplexity needs --lm ngram:<model.arpa> (train one with `datatailor lm train`, e.g. on Wikipedia text as CCNet does)");
  const colon = spec.indexOf(":");
  const scheme = colon < 0 ? "" : spec.slice(0, colon);
  if (scheme !== "ngram" || colon === spec.length - 1) throw usageError(`--lm ${scheme ? scheme + ":…" : spec}: perplexity selection scores every corpus document inside shard jobs and takes ngram:<file> models; gguf: and openai: models score through \`datatailor lm score\``);
  return spec.slice(colon + 1);
}

export async function perplexityScorer(spec: string | undefined, normalize = true): Promise<ScorerSpec> {
  const file = path.resolve(checkPerplexityLm(spec));
  await access(file).catch(() => {
    throw new UserError(`--lm ${spec}: no such model file`);
  });
  return { kind: "perplexity", lm: file, normalize };
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
