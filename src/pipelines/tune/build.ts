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

export async function runBuild(opts: BuildOptions): Promise<BuildSummary> {
  const log = opts.log ?? (() => {});
  if (!Number.isInteger(opts.k) || opts.k < 0) throw usageError(`--k must be a non-negative integer, got ${opts.k}`);
  const template = resolveTemplate(opts.task, opts.template, opts.map);
  const bad = new BadInputLog({ strict: opts.strict });
  const train = await readTuneSet(opts.train, template.fields, bad);
  let demos: readonly TuneItem[];
  let examples: readonly TuneItem[] = train.items;
  let demoFrom: string;
  if (opts.demos) {
    demos = (await readTuneSet(opts.demos, template.fields, bad)).items;
    demoFrom = opts.demos;
    if (demos.length < opts.k) throw usageError(`--k ${opts.k} needs ${opts.k} demos but ${opts.demos} has ${demos.length} usable records`);
  } else {
    if (train.items.length <= opts.k) throw usageError(`--k ${opts.k}: ${opts.train} has ${train.items.length} usable records, too few to take ${opts.k} demos from and keep examples`);
    // The first k training records become the demos and leave the training examples, so no
    // example carries its own answer in its context.
    demos = train.items.slice(0, opts.k);
    examples = train.items.slice(opts.k);
    demoFrom = opts.k > 0 ? `${opts.train} (first ${opts.k} records, removed from the examples)` : "none";
  }
  const counter = await openTokenCounter(opts.tokenizer);
  const context = demoContext(template, demos, opts.k);
  const n = examples.length;
  const promptTok = new Int32Array(n);
  const totalTok = new Int32Array(n);
  const complTok = new Int32Array(n);
  const outPath = path.resolve(opts.out);
  const sink = await openAtomic(outPath);
  const lengths = opts.lengthsOut ? await openAtomic(path.resolve(opts.lengthsOut)) : undefined;
  const progress = createProgress({ label: "tune build", unit: "examples", total: n, enabled: opts.progress ?? false });
  try {
    for (let i = 0; i < n; i++) {
      const x = examples[i];
      const ex = buildExample(template, x, context);
      promptTok[i] = counter.count(ex.prompt);
      totalTok[i] = counter.count(ex.prompt + ex.completion);
      complTok[i] = totalTok[i] - promptTok[i];
      await write(sink.stream, formatExample(opts.format, ex, x.index) + "\n");
      if (lengths) await write(lengths.stream, JSON.stringify({ index: x.index, prompt_tokens: promptTok[i], completion_tokens: complTok[i], total_tokens: totalTok[i] }) + "\n");
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

  let maxLength: BuildSummary["maxLength"] = null;
  if (opts.maxLength !== undefined) {
    let over = 0;
    let lost = 0;
    for (let i = 0; i < n; i++) {
      if (totalTok[i] <= opts.maxLength) continue;
      over++;
      if (promptTok[i] >= opts.maxLength) lost++;
    }
    maxLength = { limit: opts.maxLength, over, completionLost: lost };
    if (over > 0) {
      log(
        `warning: ${over} of ${n} examples are longer than --max-length ${opts.maxLength} ${counter.name === "whitespace" ? "whitespace words" : "tokens"} and will be truncated by the trainer` +
          (lost > 0 ? `; in ${lost} of them the prompt alone reaches the limit, so the completion is cut off entirely (nothing to learn)` : ""),
      );
    }
  }

  let leaks: Leak[] | null = null;
  let leakCounts: Record<string, number> | null = null;
  if (opts.tests && opts.tests.length > 0) {
    const tests: TuneSet[] = [];
    for (const t of opts.tests) tests.push(await readTuneSet(t, template.fields, bad));
    leaks = findLeaks(tests, { demo: opts.k > 0 ? demos.slice(0, opts.k) : [], train: examples }, { fields: template.fields, limit: opts.testLimit });
    leakCounts = {};
    for (const l of leaks) leakCounts[`${l.source}:${l.kind}`] = (leakCounts[`${l.source}:${l.kind}`] ?? 0) + 1;
    if (leaks.length > 0) {
      log(`leakage: ${leaks.length} test item${leaks.length === 1 ? "" : "s"} also in the ${opts.k > 0 ? "demos or " : ""}training data:`);
      for (const l of leaks.slice(0, 20)) log(`  ${l.test}[${l.testIndex}] = ${l.source}[${l.sourceIndex}] (${l.kind}${l.sharedNgrams !== undefined ? `, ${l.sharedNgrams} shared 13-grams` : ""})`);
      if (leaks.length > 20) log(`  … ${leaks.length - 20} more (see --json)`);
    } else log(`leakage: none found in ${tests.map((t) => t.name).join(", ")}`);
  }
  if (bad.total > 0) log(`bad input: ${bad.total} record${bad.total === 1 ? "" : "s"} skipped (${Object.entries(bad.byReason()).map(([r, c]) => `${r} ${c}`).join(", ")})`);
  return {
    out: outPath,
    format: opts.format,
    task: opts.task ?? null,
    template: template.source,
    k: opts.k,
    demos: { from: demoFrom, count: Math.min(opts.k, demos.length) },
    examples: n,
    tokenizer: counter.name,
    tokens: { prompt: stats(promptTok), completion: stats(complTok), total: stats(totalTok), sum: totalTok.reduce((a, b) => a + b, 0) },
    maxLength,
    leaks,
    leakCounts,
    badInput: bad.toJSON(),
  };
}

function write(stream: NodeJS.WritableStream, s: string): Promise<void> | void {
  if (!stream.write(s)) return new Promise((resolve) => stream.once("drain", () => resolve()));
}
