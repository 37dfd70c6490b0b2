/**
 * Language models for adapt: opened by spec through the LM layer (ngram:, gguf:, openai:), and
 * the tokenizer check that per-token comparison needs.
 */
import { openLanguageModel, type LanguageModel, type TokenizerIdentity } from "../../backends/lm/index.js";

export function openLm(spec: string, log?: (m: string) => void): Promise<LanguageModel> {
  return openLanguageModel(spec, { log });
}

/**
 * Word-level tokenizers (n-gram models split on whitespace) tokenize every text the same way
 * whatever their vocabulary; only which words are <unk> differs, and the token strings are the
 * words themselves. Two n-gram models trained on different data have different vocabulary
 * hashes yet can be compared token by token.
 */
export function vocabularyFree(t: TokenizerIdentity): boolean {
  return t.kind.startsWith("whitespace");
}

/** Whether two models tokenize text the same way, so their scores can be compared token by token. */
export function sameTokenizer(a: TokenizerIdentity, b: TokenizerIdentity): boolean {
  if (a.kind !== b.kind) return false;
  return vocabularyFree(a) || (a.hash === b.hash && a.vocabSize === b.vocabSize);
}
