/**
 * Token classes for the Adaptation Odyssey analysis (Öncel et al. 2024): the degradation of
 * continued pretraining sits in non-informative tokens (newlines, whitespace, punctuation), so
 * every scored token is put in one class from its surface text:
 *   eol          end of sentence (</s>) or a token of newlines only
 *   whitespace   only whitespace
 *   punctuation  only punctuation and symbols (after dropping surrounding whitespace)
 *   digits       only digits (with . or , between groups)
 *   stopword     an English stop word (NLTK's list), case-insensitive
 *   other        everything else
 * Tokenizer markers are mapped back to what they stand for first: GPT-2's byte-level Ġ (space),
 * Ċ (newline), ĉ (tab), SentencePiece's ▁ (space) and <0x0A>-style byte tokens.
 */

export const TOKEN_CLASSES = ["eol", "whitespace", "punctuation", "digits", "stopword", "other"] as const;
export type TokenClass = (typeof TOKEN_CLASSES)[number];

/** Classes left out of the "informative" perplexity: the paper's non-informative tokens. */
export const NON_INFORMATIVE: readonly TokenClass[] = ["eol", "whitespace", "punctuation"];

export const END_OF_SENTENCE = "</s>";

/** NLTK's English stop words (nltk_data corpora/stopwords/english, 179 words). */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself yourselves he him his himself she she's her hers herself " +
    "it it's its itself they them their theirs themselves what which who whom this that that'll these those am is are was were be been being have has had " +
    "having do does did doing a an the and but if or because as until while of at by for with about against between into through during before after " +
    "above below to from up down in out on off over under again further then once here there when where why how all any both each few more most other " +
    "some such no nor not only own same so than too very s t can will just don don't should should've now d ll m o re ve y ain aren aren't couldn " +
    "couldn't didn didn't doesn doesn't hadn hadn't hasn hasn't haven haven't isn isn't ma mightn mightn't mustn mustn't needn needn't shan shan't " +
    "shouldn shouldn't wasn wasn't weren weren't won won't wouldn wouldn't"
  ).split(" "),
);

/** The text a token stands for, with byte-level / SentencePiece markers mapped back. */
export function tokenSurface(token: string): string {
  if (token === END_OF_SENTENCE) return "\n";
  const byte = /^<0x([0-9A-Fa-f]{2})>$/.exec(token);
  if (byte) return String.fromCharCode(parseInt(byte[1], 16));
  return token.replace(/[Ġ▁]/g, " ").replace(/Ċ/g, "\n").replace(/ĉ/g, "\t");
}

const PUNCT = /^[\p{P}\p{S}]+$/u;
const DIGITS = /^\p{Nd}+([.,]\p{Nd}+)*$/u;

/** `surface`: the token's own text when known (its bytes in the scored text), else its marker form is decoded. */
export function classifyToken(token: string, surface?: string): TokenClass {
  if (token === END_OF_SENTENCE) return "eol";
  const s = surface !== undefined && surface !== "" ? surface : tokenSurface(token);
  if (s === "") return "other";
  if (/^\s+$/u.test(s)) return /[\n\r]/.test(s) ? "eol" : "whitespace";
  const t = s.trim();
  if (PUNCT.test(t)) return "punctuation";
  if (DIGITS.test(t)) return "digits";
  if (STOP_WORDS.has(t.toLowerCase())) return "stopword";
  return "other";
}
