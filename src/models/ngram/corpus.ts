/**
 * Training text → word ids, as lmplz reads it: words split on NUL, tab, LF, CR and space;
 * each line becomes <s> w1 … wk </s> (an empty line is <s> </s>). Like lmplz, a last line
 * without a newline gets no </s>. <s>, </s> and <unk> inside the text are refused (lmplz's
 * default) or, with skipSymbols, treated as whitespace (its --skip_symbols).
 */
import { BOS, EOS, Vocab } from "./vocab.js";
// local copies: under a CommonJS transform (tsx) an imported binding costs a getter call per use
const BOS_ = BOS, EOS_ = EOS;
export class SpecialWordError extends Error {
  constructor(
    readonly word: string,
    readonly line: number,
  ) {
    super(`special word ${word} is not allowed in the training text (line ${line}); pass --skip-symbols to treat <s>, </s> and <unk> as whitespace`);
  }
}

export interface Corpus {
  /** Each sentence as BOS, its word ids, then EOS (absent on an unterminated last line). */
  ids: Uint32Array;
  length: number;
  /** Words read, not counting <s> or </s> (lmplz's token count). */
  words: number;
  sentences: number;
}

const LMPLZ_DELIM = new Uint8Array(256);
for (const c of [0, 9, 10, 13, 32]) LMPLZ_DELIM[c] = 1;

export function tokenizeForTraining(input: Uint8Array, vocab: Vocab, opts: { skipSymbols?: boolean; onSkip?: (word: string) => void } = {}): Corpus {
  // a plain Uint8Array view (not a Buffer): the vocabulary's byte comparisons then see one shape
  const buf = input.constructor === Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  // shared memory: counting threads read the ids without a copy
  const grown = (n: number) => new Uint32Array(new SharedArrayBuffer(n * 4));
  let ids = grown(Math.max(1024, (buf.length >>> 2) + 16));
  let n = 0;
  let words = 0;
  let sentences = 0;
  let line = 1;
  const len = buf.length;
  let i = 0;
  let inSentence = false;
  const push = (id: number) => {
    if (n === ids.length) {
      const g = grown(ids.length * 2);
      g.set(ids);
      ids = g;
    }
    ids[n++] = id;
  };
  while (i < len) {
    if (!inSentence) {
      push(BOS_);
      inSentence = true;
      sentences++;
    }
    const c = buf[i];
    if (c === 10) {
      push(EOS_);
      inSentence = false;
      line++;
      i++;
      continue;
    }
    if (LMPLZ_DELIM[c]) {
      i++;
      continue;
    }
    const start = i;
    while (i < len && !LMPLZ_DELIM[buf[i]]) i++;
    const id = vocab.findOrAdd(buf, start, i);
    if (id <= EOS_) {
      if (!opts.skipSymbols) throw new SpecialWordError(vocab.word(id), line);
      opts.onSkip?.(vocab.word(id));
      continue;
    }
    if (n === ids.length) {
      const g = grown(ids.length * 2);
      g.set(ids);
      ids = g;
    }
    ids[n++] = id;
    words++;
  }
  // A trailing line without a newline keeps its words but no </s>, as in lmplz; one with
  // no words at all is no sentence (lmplz reads nothing there).
  if (inSentence && ids[n - 1] === BOS_) {
    n--;
    sentences--;
  }
  return { ids, length: n, words, sentences };
}
