/**
 * `tune build`: reads a training set (and demos), builds the paper's FT (k = 0) or FTICL (k > 0)
 * examples, writes them in a trainer's format atomically, counts tokens per example, warns about
 * examples longer than --max-length, and optionally checks demos and training data against test sets.
 */
import path from "node:path";
import { openAtomic } from "../../io/atomic.js";
import { BadInputLog, type BadInputSummary } from "../../io/bad-input.js";
import { usageError } from "../../util/errors.js";
import { createProgress } from "../../util/progress.js";
import { quantileSorted } from "../../models/stats/quantile.js";
import { buildExample, demoContext } from "./construct.js";
import { formatExample, type OutputFormat } from "./formats.js";
import { findLeaks, type Leak } from "./leaks.js";
import { readTuneSet, type TuneItem, type TuneSet } from "./read.js";
import { parseTemplate, taskTemplate, type TaskName, type Template } from "./templates.js";
import { openTokenCounter } from "./tokens.js";

export interface BuildOptions {
  task?: TaskName;
  /** A custom template ("…{field}…"); overrides the task's built-in one. */
  template?: string;
  /** Built-in wording: 0 (train/eval, default) or 1 (robustness). */
  map?: 0 | 1;
  train: string;
  demos?: string;
  k: number;
  format: OutputFormat;
  out: string;
  tests?: string[];
  /** Leak check on the first N items of each test set only (the evaluated slice). */
  testLimit?: number;
  maxLength?: number;
  tokenizer?: string;
  /** Per-example token counts as JSONL {index, prompt_tokens, completion_tokens, total_tokens}. */
  lengthsOut?: string;
  strict?: boolean;
  progress?: boolean;
  log?: (msg: string) => void;
}

export interface LengthStats {
  min: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

export interface BuildSummary {
  out: string;
  format: OutputFormat;
  task: TaskName | null;
  template: string;
  k: number;
  demos: { from: string; count: number };
  examples: number;
  tokenizer: string;
  tokens: { prompt: LengthStats; completion: LengthStats; total: LengthStats; sum: number };
  maxLength: { limit: number; over: number; completionLost: number } | null;
  leaks: Leak[] | null;
  leakCounts: Record<string, number> | null;
  badInput: BadInputSummary;
}

export function resolveTemplate(task: TaskName | undefined, template: string | undefined, map: 0 | 1 = 0): Template {
  if (template !== undefined) return parseTemplate(template);
  if (task === undefined) throw usageError("give --task <summary|question|sentiment|inference|detection> or --template \"…{field}…\"");
  return taskTemplate(task, map);
}

function stats(values: Int32Array): LengthStats {
  if (values.length === 0) return { min: 0, p50: 0, p95: 0, max: 0, mean: 0 };
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of values) sum += v;
  return { min: sorted[0], p50: quantileSorted(sorted, 0.5), p95: quantileSorted(sorted, 0.95), max: sorted[sorted.length - 1], mean: Number((sum / values.length).toFixed(2)) };
}

/** Steps: read the training set and pick the demos; write the examples with their lengths; check lengths; check leaks. */
export async function runBuild(opts: BuildOptions): Promise<BuildSummary> {
  const log = opts.log ?? (() => {});
  if (!Number.isInteger(opts.k) || opts.k < 0) throw usageError(`--k must be a non-negative integer, got ${opts.k}`);
  const template = resolveTemplate(opts.task, opts.template, opts.map);
  const bad = new BadInputLog({ strict: opts.strict });
  const { demos, examples, demoFrom } = await pickDemos(opts, template, bad);
  const counter = await openTokenCounter(opts.tokenizer);
  const outPath = path.resolve(opts.out);
  const len = await writeExamples(opts, template, demos, examples, counter, outPath);
  const maxLength = checkLengths(opts, len, counter.name, log);
  const { leaks, leakCounts } = await checkLeaks(opts, template, demos, examples, bad, log);
  if (bad.total > 0) log(`bad input: ${bad.total} record${bad.total === 1 ? "" : "s"} skipped (${Object.entries(bad.byReason()).map(([r, c]) => `${r} ${c}`).join(", ")})`);
  return {
    out: outPath,
    format: opts.format,
    task: opts.task ?? null,
    template: template.source,
    k: opts.k,
    demos: { from: demoFrom, count: Math.min(opts.k, demos.length) },
    examples: examples.length,
    tokenizer: counter.name,
    tokens: { prompt: stats(len.prompt), completion: stats(len.completion), total: stats(len.total), sum: len.total.reduce((a, b) => a + b, 0) },
    maxLength,
    leaks,
    leakCounts,
    badInput: bad.toJSON(),
  };
}

interface Lengths {
  prompt: Int32Array;
  completion: Int32Array;
  total: Int32Array;
}

/** The demos (--demos, else the first k training records, which then leave the examples) and the examples. */
async function pickDemos(opts: BuildOptions, template: Template, bad: BadInputLog): Promise<{ demos: readonly TuneItem[]; examples: readonly TuneItem[]; demoFrom: string }> {
  const train = await readTuneSet(opts.train, template.fields, bad);
  if (opts.demos) {
    const demos = (await readTuneSet(opts.demos, template.fields, bad)).items;
    if (demos.length < opts.k) throw usageError(`--k ${opts.k} needs ${opts.k} demos but ${opts.demos} has ${demos.length} usable records`);
    return { demos, examples: train.items, demoFrom: opts.demos };
  }
  if (train.items.length <= opts.k) throw usageError(`--k ${opts.k}: ${opts.train} has ${train.items.length} usable records, too few to take ${opts.k} demos from and keep examples`);
  // The first k training records become the demos and leave the training examples, so no
  // example carries its own answer in its context.
  return { demos: train.items.slice(0, opts.k), examples: train.items.slice(opts.k), demoFrom: opts.k > 0 ? `${opts.train} (first ${opts.k} records, removed from the examples)` : "none" };
}

/** Writes every example in the trainer's format (and its lengths with --lengths-out), atomically. */
async function writeExamples(opts: BuildOptions, template: Template, demos: readonly TuneItem[], examples: readonly TuneItem[], counter: Awaited<ReturnType<typeof openTokenCounter>>, outPath: string): Promise<Lengths> {
  const context = demoContext(template, demos, opts.k);
  const n = examples.length;
  const len: Lengths = { prompt: new Int32Array(n), completion: new Int32Array(n), total: new Int32Array(n) };
  const sink = await openAtomic(outPath);
  const lengths = opts.lengthsOut ? await openAtomic(path.resolve(opts.lengthsOut)) : undefined;
  const progress = createProgress({ label: "tune build", unit: "examples", total: n, enabled: opts.progress ?? false });
  try {
    for (let i = 0; i < n; i++) {
      const x = examples[i];
      const ex = buildExample(template, x, context);
      len.prompt[i] = counter.count(ex.prompt);
      len.total[i] = counter.count(ex.prompt + ex.completion);
      len.completion[i] = len.total[i] - len.prompt[i];
      await write(sink.stream, formatExample(opts.format, ex, x.index) + "\n");
      if (lengths) await write(lengths.stream, JSON.stringify({ index: x.index, prompt_tokens: len.prompt[i], completion_tokens: len.completion[i], total_tokens: len.total[i] }) + "\n");
      progress.tick();
    }
  } catch (e) {
    await sink.abort();
    await lengths?.abort();
    throw e;
  } finally {
    progress.stop();
  }
  await sink.commit();
  await lengths?.commit();
  return len;
}

/** --max-length: how many examples the trainer will truncate, and in how many nothing of the completion is left. */
function checkLengths(opts: BuildOptions, len: Lengths, counter: string, log: (m: string) => void): BuildSummary["maxLength"] {
  if (opts.maxLength === undefined) return null;
  const n = len.total.length;
  let over = 0;
  let lost = 0;
  for (let i = 0; i < n; i++) {
    if (len.total[i] <= opts.maxLength) continue;
    over++;
    if (len.prompt[i] >= opts.maxLength) lost++;
  }
  if (over > 0) {
    log(
      `warning: ${over} of ${n} examples are longer than --max-length ${opts.maxLength} ${counter === "whitespace" ? "whitespace words" : "tokens"} and will be truncated by the trainer` +
        (lost > 0 ? `; in ${lost} of them the prompt alone reaches the limit, so the completion is cut off entirely (nothing to learn)` : ""),
    );
  }
  return { limit: opts.maxLength, over, completionLost: lost };
}

/** --test: demos and training examples that also sit in a test set. */
async function checkLeaks(opts: BuildOptions, template: Template, demos: readonly TuneItem[], examples: readonly TuneItem[], bad: BadInputLog, log: (m: string) => void): Promise<{ leaks: Leak[] | null; leakCounts: Record<string, number> | null }> {
  if (!opts.tests || opts.tests.length === 0) return { leaks: null, leakCounts: null };
  const tests: TuneSet[] = [];
  for (const t of opts.tests) tests.push(await readTuneSet(t, template.fields, bad));
  const leaks = findLeaks(tests, { demo: opts.k > 0 ? demos.slice(0, opts.k) : [], train: examples }, { fields: template.fields, limit: opts.testLimit });
  const leakCounts: Record<string, number> = {};
  for (const l of leaks) leakCounts[`${l.source}:${l.kind}`] = (leakCounts[`${l.source}:${l.kind}`] ?? 0) + 1;
  if (leaks.length > 0) {
    log(`leakage: ${leaks.length} test item${leaks.length === 1 ? "" : "s"} also in the ${opts.k > 0 ? "demos or " : ""}training data:`);
    for (const l of leaks.slice(0, 20)) log(`  ${l.test}[${l.testIndex}] = ${l.source}[${l.sourceIndex}] (${l.kind}${l.sharedNgrams !== undefined ? `, ${l.sharedNgrams} shared 13-grams` : ""})`);
    if (leaks.length > 20) log(`  … ${leaks.length - 20} more (see --json)`);
  } else log(`leakage: none found in ${tests.map((t) => t.name).join(", ")}`);
  return { leaks, leakCounts };
}

function write(stream: NodeJS.WritableStream, s: string): Promise<void> | void {
  if (!stream.write(s)) return new Promise((resolve) => stream.once("drain", () => resolve()));
}
