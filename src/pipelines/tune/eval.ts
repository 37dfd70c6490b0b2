/**
 * `tune eval`: the paper's generalisation matrix for the models a team serves. Every model is
 * run on every test set (in-domain and out-of-domain) at every shot count, with the test set's
 * own few-shot demos as context (the same for every item, as the paper does), on the first
 * `limit` items (the paper evaluates 250):
 *   generation tasks      greedy, max 60 tokens, stop "\n\n", stripped; ROUGE-L F (rouge_score);
 *   classification tasks  the label with the highest log-likelihood (see eval-classify.ts); accuracy.
 * Then paired bootstrap 95% CIs for FT − base and FTICL − FT per test set and shot count, and per
 * model the in-domain gain over the base model against its mean out-of-domain gain (eval-summary.ts).
 */
import path from "node:path";
import { tmpdir } from "node:os";
import type { LanguageModel } from "../../backends/lm/types.js";
import { BadInputLog, type BadInputSummary } from "../../io/bad-input.js";
import { openAtomic } from "../../io/atomic.js";
import { usageError } from "../../util/errors.js";
import { createProgress } from "../../util/progress.js";
import { maxOf } from "../../util/array.js";
import { demoContext } from "./construct.js";
import { ResponseCache, modelCacheId } from "./eval-cache.js";
import { runCell, type CellMethod, type ModelState } from "./eval-cell.js";
import type { ModelSpec, TestSpec } from "./eval-spec.js";
import { compareModels, gainsOverBase, type Comparison, type Gain } from "./eval-summary.js";
import { loadTests } from "./eval-tests.js";
import { renderTemplate, TASK_KIND, TASK_LABELS, type TaskName } from "./templates.js";
import { resolveTemplate } from "./build.js";

export type { Comparison, Gain } from "./eval-summary.js";
export { comparisonPairs } from "./eval-summary.js";

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
  /** Progress lines on stderr (default off for library calls). */
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
  method: CellMethod;
  /** Items the model gave no label for (classification). */
  noAnswer?: number;
}

export interface EvalResult {
  task: TaskName | null;
  kind: "generation" | "classification";
  metric: "rougeL" | "accuracy";
  labels: string[] | null;
  template: string;
  limit: number;
  shots: number[];
  models: Array<{ name: string; id: string; methods: Record<string, CellMethod> }>;
  tests: Array<{ name: string; domain: "in" | "out"; items: number; fewShot: string | null }>;
  cells: EvalCell[];
  comparisons: Comparison[];
  gains: Gain[];
  cache: { dir: string | null; hits: number; writes: number };
  seconds: number;
  badInput: BadInputSummary;
}

export async function runEval(opts: EvalOptions): Promise<EvalResult> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const template = resolveTemplate(opts.task, opts.template, opts.map);
  const kind = opts.kind ?? (opts.task ? TASK_KIND[opts.task] : undefined);
  if (!kind) throw usageError("--template needs --kind generation|classification");
  const labels = kind === "classification" ? (opts.labels ?? (opts.task ? TASK_LABELS[opts.task]?.slice() : undefined)) : undefined;
  if (kind === "classification" && (!labels || labels.length < 2)) throw usageError("classification needs at least two --labels");
  const bad = new BadInputLog({ strict: opts.strict });
  const tests = await loadTests(opts.tests, template, { limit: opts.limit, maxShots: maxOf(opts.shots), labels, bad });

  const cache = opts.cacheDir === false ? null : new ResponseCache(opts.cacheDir ?? path.join(tmpdir(), "datatailor-tune-cache"));
  const totalUnits = opts.models.length * opts.shots.length * tests.reduce((a, t) => a + t.items.length, 0);
  const progress = createProgress({ label: "tune eval", unit: "prompts", total: totalUnits, enabled: opts.progress ?? false });
  const preds = opts.predictionsOut ? await openAtomic(path.resolve(opts.predictionsOut)) : undefined;
  const cells: EvalCell[] = [];
  const perItem = new Map<string, Float64Array>();
  const key = (m: string, t: string, s: number) => `${m}\u0000${t}\u0000${s}`;
  const modelsOut: EvalResult["models"] = [];
  try {
    for (const ms of opts.models) {
      const model = await opts.open(ms.spec);
      const methods: Record<string, CellMethod> = {};
      modelsOut.push({ name: ms.name, id: model.id, methods });
      try {
        // openai: models keep their own response cache in the backend
        const own = cache && !ms.spec.startsWith("openai:");
        const state: ModelState = { name: ms.name, model, cache: own ? cache : null, cacheId: own ? await modelCacheId(ms.spec, model.id) : null };
        for (const t of tests) {
          for (const shots of opts.shots) {
            const ctx = demoContext(template, t.demos, shots).context;
            const out = await runCell(state, {
              test: t,
              shots,
              prompts: t.items.map((x) => ctx + renderTemplate(template, x.fields)),
              kind,
              labels,
              maxTokens: opts.maxTokens ?? 60,
              batch: opts.batch ?? 16,
              log,
              tick: (n) => progress.tick(n),
              record: preds ? (row) => write(preds.stream, JSON.stringify({ model: ms.name, ...row }) + "\n") : undefined,
            });
            let sum = 0;
            for (const v of out.scores) sum += v;
            const cell: EvalCell = { model: ms.name, test: t.name, domain: t.domain, shots, n: out.scores.length, score: (100 * sum) / out.scores.length, method: out.method };
            if (kind === "classification") cell.noAnswer = out.noAnswer;
            methods[t.name] = out.method;
            cells.push(cell);
            perItem.set(key(ms.name, t.name, shots), out.scores);
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
  const comparisons = compareModels(names, tests.map((t) => t.name), opts.shots, (m, t, s) => perItem.get(key(m, t, s))!, { seed: opts.seed ?? 0, resamples: opts.resamples ?? 2000 });
  const gains = gainsOverBase(names, tests, opts.shots, (m, t, s) => cells.find((c) => c.model === m && c.test === t && c.shots === s)!.score);
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

function write(stream: NodeJS.WritableStream, s: string): Promise<void> | void {
  if (!stream.write(s)) return new Promise((resolve) => stream.once("drain", () => resolve()));
}
