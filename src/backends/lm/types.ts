/**
 * One interface for every language-model backend (ngram:, gguf:, openai:): texts in, per-token
 * natural-log probabilities out. adapt, tune and perplexity / Moore–Lewis selection sit on it.
 */

/** One scored token: its string, where it sits in the text, and ln p(token | everything before). */
export interface ScoredToken {
  token: string;
  /** Byte offsets into the UTF-8 text, [start, end); an end-of-sentence token has start = end = text length. */
  start: number;
  end: number;
  /** Natural-log probability given all previous tokens of the same text. */
  logprob: number;
  /** True for tokens the model does not know (n-gram `<unk>`); their logprob is still counted. */
  oov?: boolean;
}

export interface ScoredText {
  tokens: ScoredToken[];
}

/** Identifies a tokenizer so two models can be checked for a shared one before comparing per token. */
export interface TokenizerIdentity {
  /** e.g. "whitespace+eos" for n-gram LMs, "gpt2-bpe:<sha256 of vocab+merges>" for GGUF. */
  kind: string;
  /** sha256 hex of the vocabulary (and merges) so equal ids mean equal tokenization. */
  hash: string;
  vocabSize: number;
}

export interface ScoreOptions {
  /** Called with the number of texts finished, for progress bars. */
  onProgress?: (done: number) => void;
  signal?: AbortSignal;
}

export interface GenerateOptions extends ScoreOptions {
  maxTokens: number;
  stop?: string[];
  /** Greedy decoding is the only mode tests rely on; temperature is 0 unless set. */
  temperature?: number;
}

export interface LanguageModel {
  /** The spec it was opened from, with any secret (keys, user:pass@) redacted. */
  readonly id: string;
  readonly tokenizer: TokenizerIdentity;
  /** Scores each text; result i belongs to texts[i]. */
  score(texts: string[], opts?: ScoreOptions): Promise<ScoredText[]>;
  /** Greedy continuation of each prompt (gguf:, openai:); absent where the backend cannot generate. */
  generate?(prompts: string[], opts: GenerateOptions): Promise<string[]>;
  close(): Promise<void>;
}
