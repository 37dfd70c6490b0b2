/**
 * One cell of the tune eval matrix: one model on one test set at one shot count. Prompts go to
 * the model in batches, each answered from the response cache when it can be; generation items
 * get ROUGE-L F of the stripped greedy output, classification items 1 when the chosen label is the
 * gold one. The classification method is found on the first batch a model sees (see
 * eval-classify.ts) and kept for the rest of its cells.
 */
import type { LanguageModel } from "../../backends/lm/types.js";
import { UserError } from "../../util/errors.js";
import { rougeL } from "../../models/rouge/index.js";
import { chooseByFirstToken, chooseByGeneration, chooseByLoglik, hasFirstToken, type Choice, type ClassifyMethod } from "./eval-classify.js";
import type { ResponseCache } from "./eval-cache.js";
import type { LoadedTest } from "./eval-tests.js";

export type CellMethod = ClassifyMethod | "generate-rouge";

/** What a model has learnt about itself across cells: its cache identity and classification method. */
export interface ModelState {
  name: string;
  model: LanguageModel;
  /** The model's part of cache keys (null: no tune-level cache). */
  cacheId: string | null;
  cache: ResponseCache | null;
  method?: ClassifyMethod;
}

export interface CellInput {
  test: LoadedTest;
  shots: number;
  prompts: string[];
  kind: "generation" | "classification";
  labels?: string[];
  maxTokens: number;
  batch: number;
  log: (m: string) => void;
  /** Called after each batch with the number of prompts done. */
  tick: (n: number) => void;
  /** Receives one JSON object per item (--predictions). */
  record?: (row: Record<string, unknown>) => Promise<void> | void;
}

export interface CellOutput {
  scores: Float64Array;
  noAnswer: number;
  method: CellMethod;
}

export async function runCell(m: ModelState, c: CellInput): Promise<CellOutput> {
  const { test, prompts } = c;
  const scores = new Float64Array(prompts.length);
  let noAnswer = 0;
  for (let s = 0; s < prompts.length; s += c.batch) {
    const part = prompts.slice(s, s + c.batch);
    if (c.kind === "generation") {
      const settings = { kind: "generate", maxTokens: c.maxTokens, stop: ["\n\n"], temperature: 0 };
      const texts = await cached(m, settings, part, (ps) => {
        if (!m.model.generate) throw new UserError(`${m.model.id} cannot generate text; generation tasks need gguf: or openai: models`);
        return m.model.generate(ps, { maxTokens: c.maxTokens, stop: ["\n\n"], temperature: 0 });
      });
      for (let i = 0; i < part.length; i++) {
        const it = test.items[s + i];
        const pred = texts[i].trim();
        scores[s + i] = rougeL(it.output, pred).fmeasure;
        await c.record?.({ test: test.name, shots: c.shots, index: it.index, prediction: pred, reference: it.output, rougeL: scores[s + i] });
      }
    } else {
      const choices = await classify(m, part, c.labels!, c.log);
      for (let i = 0; i < part.length; i++) {
        const it = test.items[s + i];
        const ch = choices[i];
        const gold = test.gold![s + i];
        if (ch.label < 0) noAnswer++;
        scores[s + i] = ch.label === gold ? 1 : 0;
        await c.record?.({
          test: test.name,
          shots: c.shots,
          index: it.index,
          prediction: ch.label >= 0 ? c.labels![ch.label] : null,
          label: c.labels![gold],
          correct: scores[s + i] === 1,
          scores: ch.scores,
          ...(ch.text !== undefined ? { generated: ch.text } : {}),
        });
      }
    }
    c.tick(part.length);
  }
  return { scores, noAnswer, method: c.kind === "generation" ? "generate-rouge" : m.method! };
}

async function classify(m: ModelState, prompts: string[], labels: string[], log: (s: string) => void): Promise<Choice[]> {
  const run = (method: ClassifyMethod, ps: string[]) =>
    cached(m, { kind: method, labels }, ps, (q) =>
      method === "loglik" ? chooseByLoglik(m.model, q, labels) : method === "first-token" && hasFirstToken(m.model) ? chooseByFirstToken(m.model, q, labels) : chooseByGeneration(m.model, q, labels),
    );
  if (m.method !== undefined) return run(m.method, prompts);
  // The first batch finds the method: prompt log-probabilities if the backend gives them.
  try {
    const out = await run("loglik", prompts);
    m.method = "loglik";
    return out;
  } catch (e) {
    const why = (e as Error).message.split("\n")[0];
    if (hasFirstToken(m.model)) {
      try {
        const out = await run("first-token", prompts);
        m.method = "first-token";
        log(`${m.name}: no prompt log-probabilities (${why}); choosing labels by the first generated token's top log-probabilities`);
        return out;
      } catch (e2) {
        log(`${m.name}: no prompt log-probabilities (${why}) and no top log-probabilities of generated tokens (${(e2 as Error).message.split("\n")[0]})`);
      }
    } else log(`${m.name}: no prompt log-probabilities (${why})`);
    m.method = "generate";
    log(`${m.name}: choosing labels by greedy generation`);
    return run(m.method, prompts);
  }
}

/** Answers each prompt from the cache or, for the misses together, from `compute`; stores what was computed. */
async function cached<T>(m: ModelState, settings: object, prompts: string[], compute: (ps: string[]) => Promise<T[]>): Promise<T[]> {
  const cache = m.cache;
  if (!cache || m.cacheId === null) return compute(prompts);
  const keys = prompts.map((p) => cache.key([m.cacheId, settings, p]));
  const out: Array<T | undefined> = await Promise.all(keys.map((k) => cache.get<T>(k)));
  const miss: number[] = [];
  for (let i = 0; i < out.length; i++) if (out[i] === undefined) miss.push(i);
  if (miss.length > 0) {
    const got = await compute(miss.map((i) => prompts[i]));
    for (let j = 0; j < miss.length; j++) {
      out[miss[j]] = got[j];
      await cache.put(keys[miss[j]], got[j]);
    }
  }
  return out as T[];
}
