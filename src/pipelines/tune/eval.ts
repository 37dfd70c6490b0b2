/**
 * `tune eval`: the paper's generalisation matrix for the models a team serves. Every model is
 * run on every test set (in-domain and out-of-domain) at every shot count, with the test set's
 * own few-shot demos as context (the same for every item, as the paper does), on the first
 * `limit` items (the paper evaluates 250):
 *   generation tasks      greedy, max 60 tokens, stop "\n\n", stripped; ROUGE-L F (rouge_score);
 *   classification tasks  the label with the highest log-likelihood (see eval-classify.ts); accuracy.
 * Then paired bootstrap 95% CIs for FT − base and FTICL − FT per test set and shot count, and per
 * model the in-domain gain over the base model against its mean out-of-domain gain.
 */
import path from "node:path";
import { tmpdir } from "node:os";
import type { LanguageModel } from "../../backends/lm/types.js";
import { BadInputLog, type BadInputSummary } from "../../io/bad-input.js";
import { openAtomic } from "../../io/atomic.js";
import { UserError, usageError } from "../../util/errors.js";
import { createProgress } from "../../util/progress.js";
import { rougeL } from "../../models/rouge/index.js";
import { demoContext } from "./construct.js";
import { chooseByFirstToken, chooseByGeneration, chooseByLoglik, hasFirstToken, type Choice, type ClassifyMethod } from "./eval-classify.js";
import { ResponseCache, modelCacheId } from "./eval-cache.js";
import type { ModelSpec, TestSpec } from "./eval-spec.js";
import { pairedBootstrap, type PairedDiff } from "./paired-bootstrap.js";
import { readTuneSet, type TuneItem } from "./read.js";
import { renderTemplate, TASK_KIND, TASK_LABELS, type TaskName } from "./templates.js";
import { resolveTemplate } from "./build.js";
import { maxOf } from "../../util/array.js";

export interface EvalOptions {
  task?: TaskName;
  template?: string;
  map?: 0 | 1;
  /** Needed with --template: generation (ROUGE-L) or classification (accuracy). */
  kind?: "generation" | "classification";
  labels?: string[];
  models: ModelSpec[];
  tests: TestSpec[];
  shots: number[];
  limit: number;
  seed?: number;
  resamples?: number;
  maxTokens?: number;
  /** Prompts per request batch (and per cache/progress step). */
  batch?: number;
  /** Response cache directory; false = none. Default: $TMPDIR/datatailor-tune-cache. */
  cacheDir?: string | false;
  predictionsOut?: string;
  strict?: boolean;
  progress?: boolean;
  log?: (m: string) => void;
  /** Opens a model spec (the LM layer's openLanguageModel). */
  open: (spec: string) => Promise<LanguageModel>;
}

export interface EvalCell {
  model: string;
  test: string;
  domain: "in" | "out";
  shots: number;
  n: number;
  /** Mean ROUGE-L F or accuracy, in points (0–100). */
  score: number;
  method: ClassifyMethod | "generate-rouge";
  /** Items the model gave no label for (classification). */
  noAnswer?: number;
}

export interface Comparison extends PairedDiff {
  a: string;
  b: string;
  test: string;
  shots: number;
}

export interface Gain {
  model: string;
  shots: number;
  base: string;
  inDomain: number;
  outOfDomain: number;
  outTests: number;
}

export interface EvalResult {
  task: TaskName | null;
  kind: "generation" | "classification";
  metric: "rougeL" | "accuracy";
  labels: string[] | null;
  template: string;
  limit: number;
  shots: number[];
  models: Array<{ name: string; id: string; methods: Record<string, ClassifyMethod | "generate-rouge"> }>;
  tests: Array<{ name: string; domain: "in" | "out"; items: number; fewShot: string | null }>;
  cells: EvalCell[];
  comparisons: Comparison[];
  gains: Gain[];
  cache: { dir: string | null; hits: number; writes: number };
  seconds: number;
  badInput: BadInputSummary;
}

interface LoadedTest extends TestSpec {
  items: TuneItem[];
  demos: TuneItem[];
  /** Gold label index per item (classification). */
  gold?: Int32Array;
}

/** FT − base and FTICL − FT when those names are used; otherwise every model against the first. */
export function comparisonPairs(names: string[]): Array<[string, string]> {
  const find = (n: string) => names.find((x) => x.toLowerCase() === n);
  const base = find("base");
  const ft = find("ft");
  const fticl = find("fticl");
  const pairs: Array<[string, string]> = [];
  if (ft && base) pairs.push([ft, base]);
  if (fticl && ft) pairs.push([fticl, ft]);
  if (pairs.length === 0) for (const n of names.slice(1)) pairs.push([n, names[0]]);
  return pairs;
}

export async function runEval(opts: EvalOptions): Promise<EvalResult> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const template = resolveTemplate(opts.task, opts.template, opts.map);
  const kind = opts.kind ?? (opts.task ? TASK_KIND[opts.task] : undefined);
  if (!kind) throw usageError("--template needs --kind generation|classification");
  const labels = kind === "classification" ? (opts.labels ?? (opts.task ? TASK_LABELS[opts.task]?.slice() : undefined)) : undefined;
  if (kind === "classification" && (!labels || labels.length < 2)) throw usageError("classification needs at least two --labels");
  const maxShots = maxOf(opts.shots);
  const bad = new BadInputLog({ strict: opts.strict });

  const tests: LoadedTest[] = [];
  for (const t of opts.tests) {
    const set = await readTuneSet(t.file, template.fields, bad);
    const items = set.items.slice(0, opts.limit);
    let demos: TuneItem[] = [];
    if (maxShots > 0) {
      if (!t.shots) throw usageError(`--shots ${maxShots}: test set ${t.name} has no few-shot file (give it as in:<test>+<few-shot file>)`);
      demos = (await readTuneSet(t.shots, template.fields, bad)).items;
      if (demos.length < maxShots) throw usageError(`--shots ${maxShots}: ${t.shots} has only ${demos.length} demos`);
    }
    const lt: LoadedTest = { ...t, items, demos };
    if (labels) {
      const lower = labels.map((l) => l.toLowerCase());
      const gold = new Int32Array(items.length);
      let kept = 0;
      const keptItems: TuneItem[] = [];
      for (const it of items) {
        const g = lower.indexOf(it.output.trim().toLowerCase());
        if (g < 0) {
          bad.add(path.basename(t.file), it.line, "label_not_in_set", `output "${it.output.slice(0, 40)}" is none of ${labels.join(", ")}`, path.resolve(t.file));
          continue;
        }
        gold[kept++] = g;
        keptItems.push(it);
      }
      lt.items = keptItems;
      lt.gold = gold.subarray(0, kept);
    }
    if (lt.items.length === 0) throw new UserError(`${t.file}: no usable test items`);
    tests.push(lt);
  }

  const cache = opts.cacheDir === false ? null : new ResponseCache(opts.cacheDir ?? path.join(tmpdir(), "datatailor-tune-cache"));
  const batch = opts.batch ?? 16;
  const maxTokens = opts.maxTokens ?? 60;
  const totalUnits = opts.models.length * opts.shots.length * tests.reduce((a, t) => a + t.items.length, 0);
  const progress = createProgress({ label: "tune eval", unit: "prompts", total: totalUnits, enabled: opts.progress });
  const preds = opts.predictionsOut ? await openAtomic(path.resolve(opts.predictionsOut)) : undefined;
  const cells: EvalCell[] = [];
  const perItem = new Map<string, Float64Array>();
  const modelsOut: EvalResult["models"] = [];
  try {
    for (const ms of opts.models) {
      const model = await opts.open(ms.spec);
      const methods: Record<string, ClassifyMethod | "generate-rouge"> = {};
      modelsOut.push({ name: ms.name, id: model.id, methods });
      try {
        const useCache = cache && !ms.spec.startsWith("openai:") ? cache : null;
        const mid = await modelCacheId(ms.spec, model.id);
        let method: ClassifyMethod | undefined;
        for (const t of tests) {
          for (const shots of opts.shots) {
            const ctx = demoContext(template, t.demos, shots).context;
            const prompts = t.items.map((x) => ctx + renderTemplate(template, x.fields));
            const scores = new Float64Array(prompts.length);
            let noAnswer = 0;
            for (let s = 0; s < prompts.length; s += batch) {
              const part = prompts.slice(s, s + batch);
              if (kind === "generation") {
                const settings = { kind: "generate", maxTokens, stop: ["\n\n"], temperature: 0 };
                const texts = await cached(useCache, mid, settings, part, async (ps) => {
                  if (!model.generate) throw new UserError(`${model.id} cannot generate text; generation tasks need gguf: or openai: models`);
                  return model.generate(ps, { maxTokens, stop: ["\n\n"], temperature: 0 });
                });
                for (let i = 0; i < part.length; i++) {
                  const it = t.items[s + i];
                  const pred = texts[i].trim();
                  scores[s + i] = rougeL(it.output, pred).fmeasure;
                  if (preds) await write(preds.stream, JSON.stringify({ model: ms.name, test: t.name, shots, index: it.index, prediction: pred, reference: it.output, rougeL: scores[s + i] }) + "\n");
                }
                methods[t.name] = "generate-rouge";
              } else {
                const run = async (m: ClassifyMethod, ps: string[]): Promise<Choice[]> =>
                  cached(useCache, mid, { kind: m, labels }, ps, (q) =>
                    m === "loglik" ? chooseByLoglik(model, q, labels!) : m === "first-token" && hasFirstToken(model) ? chooseByFirstToken(model, q, labels!) : chooseByGeneration(model, q, labels!),
                  );
                let choices: Choice[];
                if (method === undefined) {
                  // The first batch finds the method: prompt log-probabilities if the backend gives them.
                  try {
                    choices = await run("loglik", part);
                    method = "loglik";
                  } catch (e) {
                    const fallback: ClassifyMethod = hasFirstToken(model) ? "first-token" : "generate";
                    log(`${ms.name}: no prompt log-probabilities (${(e as Error).message.split("\n")[0]}); choosing labels by ${fallback === "first-token" ? "the first generated token's top log-probabilities" : "greedy generation"}`);
                    method = fallback;
                    choices = await run(method, part);
                  }
                } else choices = await run(method, part);
                for (let i = 0; i < part.length; i++) {
                  const it = t.items[s + i];
                  const c = choices[i];
                  if (c.label < 0) noAnswer++;
                  scores[s + i] = c.label === t.gold![s + i] ? 1 : 0;
                  if (preds)
                    await write(
                      preds.stream,
                      JSON.stringify({ model: ms.name, test: t.name, shots, index: it.index, prediction: c.label >= 0 ? labels![c.label] : null, label: labels![t.gold![s + i]], correct: scores[s + i] === 1, scores: c.scores, ...(c.text !== undefined ? { generated: c.text } : {}) }) + "\n",
                    );
                }
                methods[t.name] = method;
              }
              progress.tick(part.length);
            }
            let sum = 0;
            for (const v of scores) sum += v;
            const cell: EvalCell = { model: ms.name, test: t.name, domain: t.domain, shots, n: scores.length, score: (100 * sum) / scores.length, method: methods[t.name] };
            if (kind === "classification") cell.noAnswer = noAnswer;
            cells.push(cell);
            perItem.set(`${ms.name}\u0000${t.name}\u0000${shots}`, scores);
            log(`${ms.name} · ${t.name} (${t.domain}) · ${shots}-shot: ${kind === "generation" ? "ROUGE-L" : "accuracy"} ${cell.score.toFixed(2)} on ${cell.n}`);
          }
        }
      } finally {
        await model.close();
      }
    }
  } catch (e) {
    await preds?.abort();
    throw e;
  } finally {
    progress.stop();
  }
  await preds?.commit();

  const names = opts.models.map((m) => m.name);
  const comparisons: Comparison[] = [];
  for (const [a, b] of comparisonPairs(names)) {
    for (const t of tests) {
      for (const shots of opts.shots) {
        const sa = perItem.get(`${a}\u0000${t.name}\u0000${shots}`)!;
        const sb = perItem.get(`${b}\u0000${t.name}\u0000${shots}`)!;
        const d = pairedBootstrap(sa, sb, { seed: opts.seed ?? 0, resamples: opts.resamples ?? 2000 });
        comparisons.push({ a, b, test: t.name, shots, ...d, diff: 100 * d.diff, lo: 100 * d.lo, hi: 100 * d.hi });
      }
    }
  }
  const gains: Gain[] = [];
  const base = names.find((n) => n.toLowerCase() === "base") ?? names[0];
  const score = (m: string, t: string, s: number) => cells.find((c) => c.model === m && c.test === t && c.shots === s)!.score;
  const inTests = tests.filter((t) => t.domain === "in");
  const outTests = tests.filter((t) => t.domain === "out");
  for (const m of names) {
    if (m === base) continue;
    for (const s of opts.shots) {
      const mean = (ts: LoadedTest[]) => (ts.length ? ts.reduce((a, t) => a + score(m, t.name, s) - score(base, t.name, s), 0) / ts.length : NaN);
      gains.push({ model: m, shots: s, base, inDomain: mean(inTests), outOfDomain: mean(outTests), outTests: outTests.length });
    }
  }
  return {
    task: opts.task ?? null,
    kind,
    metric: kind === "generation" ? "rougeL" : "accuracy",
    labels: labels ?? null,
    template: template.source,
    limit: opts.limit,
    shots: opts.shots,
    models: modelsOut,
    tests: tests.map((t) => ({ name: t.name, domain: t.domain, items: t.items.length, fewShot: t.shots ?? null })),
    cells,
    comparisons,
    gains,
    cache: { dir: cache?.dir ?? null, hits: cache?.hits ?? 0, writes: cache?.writes ?? 0 },
    seconds: Number(((performance.now() - t0) / 1000).toFixed(2)),
    badInput: bad.toJSON(),
  };
}

/** Answers each prompt from the cache or, for the misses together, from `compute`; stores what was computed. */
async function cached<T>(cache: ResponseCache | null, modelId: string, settings: object, prompts: string[], compute: (ps: string[]) => Promise<T[]>): Promise<T[]> {
  if (!cache) return compute(prompts);
  const keys = prompts.map((p) => cache.key([modelId, settings, p]));
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

function write(stream: NodeJS.WritableStream, s: string): Promise<void> | void {
  if (!stream.write(s)) return new Promise((resolve) => stream.once("drain", () => resolve()));
}
