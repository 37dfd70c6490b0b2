/**
 * log10 probability of one line as KenLM's `Model.score(line)` gives it (bos and eos on):
 * its whitespace-separated words from <s>, then </s>. No allocation per word: the caller owns
 * the two states and the bytes.
 */
import type { NgramModel, QueryState } from "./query-model.js";

const SPACE = new Uint8Array(256);
for (const c of [9, 10, 11, 12, 13, 32]) SPACE[c] = 1;

export interface LineScore {
  log10: number;
  /** Words of the line (its </s> not counted). */
  words: number;
}

export function lineLog10(model: NgramModel, buf: Uint8Array, start: number, end: number, a: QueryState, b: QueryState, out: LineScore): LineScore {
  let state = a;
  let next = b;
  model.beginSentence(state);
  let total = 0;
  let words = 0;
  let i = start;
  for (;;) {
    while (i < end && SPACE[buf[i]!]) i++;
    if (i >= end) break;
    const s = i;
    while (i < end && !SPACE[buf[i]!]) i++;
    total += model.score(state, model.index(buf, s, i), next);
    words++;
    const t = state;
    state = next;
    next = t;
  }
  total += model.score(state, model.eos, next);
  out.log10 = total;
  out.words = words;
  return out;
}
