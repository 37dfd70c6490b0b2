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
import { openForEval } from "./open-model.js";
import { writeReport } from "./report.js";

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
  /** In-context demos from each test set's few-shot file (default [0]). */
  shots?: number[];
  /** Items per test set (default 250, the paper's first 250). */
  limit?: number;
  seed?: number;
  resamples?: number;
  maxTokens?: number;
  /** Prompts per request batch (and per cache/progress step). */
  batch?: number;
  /** Response cache directory; false = none. Default: $TMPDIR/datatailor-tune-cache. */
  cacheDir?: string | false;
  predictionsOut?: string;
  /** Write an HTML report here (the last step). */
  report?: string;
  strict?: boolean;
  /** Progress lines on stderr (default off for library calls). */
  progress?: boolean;
  log?: (m: string) => void;
  /** Opens a model spec (default: open-model.ts, the LM layer's openLanguageModel with a generation-only fallback). */
  open?: (spec: string) => Promise<LanguageModel>;
}

export const EVAL_DEFAULTS = { shots: [0], limit: 250, seed: 0, resamples: 2000, maxTokens: 60 } as const;

/** The options once the defaults are in. */
type ResolvedEvalOptions = EvalOptions & Required<Pick<EvalOptions, "shots" | "limit" | "open">>;

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

/** The run's settings once resolved: template, task kind, labels and the loaded test sets. */
interface EvalSetup {
  template: ReturnType<typeof resolveTemplate>;
  kind: "generation" | "classification";
  labels: string[] | undefined;
  tests: Awaited<ReturnType<typeof loadTests>>;
  bad: BadInputLog;
  log: (m: string) => void;
}

/** The cells of the matrix and each cell's per-item scores (for the paired bootstrap). */
interface Matrix {
  cells: EvalCell[];
  perItem: Map<string, Float64Array>;
  models: EvalResult["models"];
}

const cellKey = (m: string, t: string, s: number) => `${m}\u0000${t}\u0000${s}`;

/** Steps: resolve the task and load the tests; run every model on every cell; compare the models; the report (report.ts). */
export async function runEval(options: EvalOptions): Promise<EvalResult> {
  const t0 = performance.now();
  const opts: ResolvedEvalOptions = { ...options, shots: options.shots ?? [...EVAL_DEFAULTS.shots], limit: options.limit ?? EVAL_DEFAULTS.limit, open: options.open ?? ((spec) => openForEval(spec, options.log)) };
  const setup = await resolveEval(opts);
  const cache = opts.cacheDir === false ? null : new ResponseCache(opts.cacheDir ?? path.join(tmpdir(), "datatailor-tune-cache"));
  const matrix = await runMatrix(opts, setup, cache);
  const result = summarise(opts, setup, matrix, cache, (performance.now() - t0) / 1000);
  await writeReport(opts, result);
  return result;
}

async function resolveEval(opts: ResolvedEvalOptions): Promise<EvalSetup> {
  const log = opts.log ?? (() => {});
  const template = resolveTemplate(opts.task, opts.template, opts.map);
  const kind = opts.kind ?? (opts.task ? TASK_KIND[opts.task] : undefined);
  if (!kind) throw usageError("--template needs --kind generation|classification");
  const labels = kind === "classification" ? (opts.labels ?? (opts.task ? TASK_LABELS[opts.task]?.slice() : undefined)) : undefined;
  if (kind === "classification" && (!labels || labels.length < 2)) throw usageError("classification needs at least two --labels");
  const bad = new BadInputLog({ strict: opts.strict });
  const tests = await loadTests(opts.tests, template, { limit: opts.limit, maxShots: maxOf(opts.shots), labels, bad });
  return { template, kind, labels, tests, bad, log };
}

/** Every model, one at a time (opened, run on every test set and shot count, closed). */
async function runMatrix(opts: ResolvedEvalOptions, setup: EvalSetup, cache: ResponseCache | null): Promise<Matrix> {
  const totalUnits = opts.models.length * opts.shots.length * setup.tests.reduce((a, t) => a + t.items.length, 0);
  const progress = createProgress({ label: "tune eval", unit: "prompts", total: totalUnits, enabled: opts.progress ?? false });
  const preds = opts.predictionsOut ? await openAtomic(path.resolve(opts.predictionsOut)) : undefined;
  const matrix: Matrix = { cells: [], perItem: new Map(), models: [] };
  try {
    for (const ms of opts.models) {
      const model = await opts.open(ms.spec);
      try {
        await runModel(opts, setup, ms, model, cache, matrix, {
          tick: (n) => progress.tick(n),
          record: preds ? (row) => write(preds.stream, JSON.stringify({ model: ms.name, ...row }) + "\n") : undefined,
        });
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
  return matrix;
}

/** One model's cells: every test set at every shot count, with the test set's own demos as context. */
async function runModel(
  opts: ResolvedEvalOptions,
  setup: EvalSetup,
  ms: ModelSpec,
  model: LanguageModel,
  cache: ResponseCache | null,
  matrix: Matrix,
  io: { tick: (n: number) => void; record?: Parameters<typeof runCell>[1]["record"] },
): Promise<void> {
  const { template, kind, labels, log } = setup;
  const methods: Record<string, CellMethod> = {};
  matrix.models.push({ name: ms.name, id: model.id, methods });
  // openai: models keep their own response cache in the backend
  const own = cache && !ms.spec.startsWith("openai:");
  const state: ModelState = { name: ms.name, model, cache: own ? cache : null, cacheId: own ? await modelCacheId(ms.spec, model.id) : null };
  for (const t of setup.tests) {
    for (const shots of opts.shots) {
      const ctx = demoContext(template, t.demos, shots).context;
      const out = await runCell(state, {
        test: t,
        shots,
        prompts: t.items.map((x) => ctx + renderTemplate(template, x.fields)),
        kind,
        labels,
        maxTokens: opts.maxTokens ?? EVAL_DEFAULTS.maxTokens,
        batch: opts.batch ?? 16,
        log,
        tick: io.tick,
        record: io.record,
      });
      let sum = 0;
      for (const v of out.scores) sum += v;
      const cell: EvalCell = { model: ms.name, test: t.name, domain: t.domain, shots, n: out.scores.length, score: (100 * sum) / out.scores.length, method: out.method };
      if (kind === "classification") cell.noAnswer = out.noAnswer;
      methods[t.name] = out.method;
      matrix.cells.push(cell);
      matrix.perItem.set(cellKey(ms.name, t.name, shots), out.scores);
      log(`${ms.name} · ${t.name} (${t.domain}) · ${shots}-shot: ${kind === "generation" ? "ROUGE-L" : "accuracy"} ${cell.score.toFixed(2)} on ${cell.n}`);
    }
  }
}

/** Paired bootstrap comparisons, in-domain vs out-of-domain gains, and the result record. */
function summarise(opts: ResolvedEvalOptions, setup: EvalSetup, m: Matrix, cache: ResponseCache | null, seconds: number): EvalResult {
  const { kind, labels, tests, template } = setup;
  const names = opts.models.map((x) => x.name);
  const comparisons = compareModels(names, tests.map((t) => t.name), opts.shots, (a, t, s) => m.perItem.get(cellKey(a, t, s))!, { seed: opts.seed ?? EVAL_DEFAULTS.seed, resamples: opts.resamples ?? EVAL_DEFAULTS.resamples });
  const gains = gainsOverBase(names, tests, opts.shots, (a, t, s) => m.cells.find((c) => c.model === a && c.test === t && c.shots === s)!.score);
  return {
    task: opts.task ?? null,
    kind,
    metric: kind === "generation" ? "rougeL" : "accuracy",
    labels: labels ?? null,
    template: template.source,
    limit: opts.limit,
    shots: opts.shots,
    models: m.models,
    tests: tests.map((t) => ({ name: t.name, domain: t.domain, items: t.items.length, fewShot: t.shots ?? null })),
    cells: m.cells,
    comparisons,
    gains,
    cache: { dir: cache?.dir ?? null, hits: cache?.hits ?? 0, writes: cache?.writes ?? 0 },
    seconds: Number(seconds.toFixed(2)),
    badInput: setup.bad.toJSON(),
  };
}

function write(stream: NodeJS.WritableStream, s: string): Promise<void> | void {
  if (!stream.write(s)) return new Promise((resolve) => stream.once("drain", () => resolve()));
}
