/**
 * Choosing a label for classification tasks, by the best method the backend allows:
 *   loglik       ln p(label | prompt) = score(prompt + label) − score(prompt), summed over tokens,
 *                for every label; the argmax wins. Needs prompt log-probabilities (gguf:, and
 *                openai: servers that echo them: vLLM, SGLang).
 *   first-token  the paper's method: the first generated token's top log-probabilities, argmax over
 *                the labels' first tokens. Used when the backend offers `firstTokenLogprobs`.
 *   generate     greedy generation; the label the generated text starts with (else no answer).
 *                For servers with neither (llama.cpp's server, Ollama).
 * The method used is reported per model and test set.
 */
import type { LanguageModel, ScoredText } from "../../backends/lm/types.js";
import { matchesLabel } from "./score.js";

export type ClassifyMethod = "loglik" | "first-token" | "generate";

/** An optional backend capability: the top-k next-token log-probabilities after each prompt. */
export interface FirstTokenLogprobs {
  firstTokenLogprobs(prompts: string[], opts: { topK: number }): Promise<Array<Array<{ token: string; logprob: number }>>>;
}

export function hasFirstToken(m: LanguageModel): m is LanguageModel & FirstTokenLogprobs {
  return typeof (m as Partial<FirstTokenLogprobs>).firstTokenLogprobs === "function";
}

/** One item's answer: the chosen label index (-1 = none) and each label's score. */
export interface Choice {
  label: number;
  scores: number[];
  /** The generated text (generate method). */
  text?: string;
}

/** Sum of token log-probabilities, leaving out a zero-width end-of-text token (its probability is not part of the text). */
export function textLogprob(s: ScoredText, byteLength: number): number {
  let sum = 0;
  for (const t of s.tokens) if (!(t.start === t.end && t.start === byteLength)) sum += t.logprob;
  return sum;
}

export function argmax(xs: readonly number[]): number {
  let best = -1;
  let bv = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] > bv) {
      bv = xs[i];
      best = i;
    }
  }
  return best;
}

export async function chooseByLoglik(model: LanguageModel, prompts: string[], labels: readonly string[]): Promise<Choice[]> {
  const texts: string[] = [];
  for (const p of prompts) {
    texts.push(p);
    for (const l of labels) texts.push(p + l);
  }
  const scored = await model.score(texts);
  const stride = labels.length + 1;
  return prompts.map((p, i) => {
    const base = textLogprob(scored[i * stride], Buffer.byteLength(p));
    const scores = labels.map((l, j) => textLogprob(scored[i * stride + 1 + j], Buffer.byteLength(p + l)) - base);
    return { label: argmax(scores), scores };
  });
}

export async function chooseByFirstToken(model: LanguageModel & FirstTokenLogprobs, prompts: string[], labels: readonly string[]): Promise<Choice[]> {
  const tops = await model.firstTokenLogprobs(prompts, { topK: 20 });
  return tops.map((top) => {
    const scores = labels.map((l) => {
      const label = l.toLowerCase();
      let best = -Infinity;
      for (const t of top) {
        const tok = t.token.trim().toLowerCase();
        if (tok !== "" && label.startsWith(tok) && t.logprob > best) best = t.logprob;
      }
      return best;
    });
    return { label: argmax(scores), scores };
  });
}

export async function chooseByGeneration(model: LanguageModel, prompts: string[], labels: readonly string[]): Promise<Choice[]> {
  if (!model.generate) throw new Error(`${model.id} can neither score prompts nor generate`);
  const texts = await model.generate(prompts, { maxTokens: 8, stop: ["\n"], temperature: 0 });
  return texts.map((text) => {
    const scores = labels.map((l) => (matchesLabel(text.trim(), l) ? 1 : 0));
    return { label: argmax(scores.map((s) => (s > 0 ? s : -Infinity))), scores, text: text.trim() };
  });
}
