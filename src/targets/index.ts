/**
 * Target examples for BETR: benchmark files → one text per example, balanced across benchmarks.
 * Default: equal examples per benchmark, min(DEFAULT_PER_BENCHMARK, smallest benchmark) each;
 * a single benchmark (e.g. a file of your own task examples) is used whole.
 */
import path from "node:path";
import { EXIT, UserError } from "../util/errors.js";
import { expandTargetInputs, readTargetRecords } from "./read.js";
import { detectShape, supportedShapes, type Rec } from "./shapes.js";
import { chooseIndices, stringSalt } from "./sample.js";
import { minOf } from "../util/array.js";

export { SHAPES, supportedShapes } from "./shapes.js";

export interface TargetExample {
  text: string;
  benchmark: string;
  index: number /* row in its source file */;
}
export interface TargetBenchmark {
  name: string;
  file: string;
  shape: string;
  total: number;
  used: number;
  /** Records that did not fit the file's shape (skipped unless `strict`); `problems` holds the first few. */
  skipped: number;
  problems: Array<{ line: number; reason: string }>;
}

export const DEFAULT_PER_BENCHMARK = 1000;

export interface LoadTargetOptions {
  allExamples?: boolean;
  perBenchmark?: number;
  seed: number;
  /** Fail on the first record that does not fit its file's shape instead of skipping it. */
  strict?: boolean;
}

interface Parsed {
  file: string;
  shape: string;
  examples: Array<{ text: string; index: number }>;
  skipped: number;
  problems: Array<{ line: number; reason: string }>;
}

const MAX_PROBLEMS = 10;

const SPLIT = /\.(train|validation|valid|val|dev|test)$/i;

function baseName(file: string): string {
  let b = path.basename(file).replace(/\.gz$/i, "").replace(/\.(jsonl|ndjson|json|txt)$/i, "");
  b = b.replace(/\.oe_eval_docs$/i, "");
  return b;
}

/**
 * Benchmark names from file names: `arc-easy.train.oe_eval_docs.jsonl` → `arc-easy`. The split
 * suffix is kept when two inputs would otherwise share a name; the parent directory is prefixed
 * when even that collides (`agieval/math`, `llm-foundry/math`).
 */
export function benchmarkNames(files: string[]): string[] {
  const full = files.map(baseName);
  const short = full.map((b) => b.replace(SPLIT, ""));
  const count = (arr: string[], v: string) => arr.filter((x) => x === v).length;
  let names = files.map((_, i) => (count(short, short[i]!) === 1 ? short[i]! : full[i]!));
  names = names.map((n, i) => (count(names, n) === 1 ? n : `${path.basename(path.dirname(files[i]!))}/${n}`));
  names = names.map((n, i) => (count(names, n) === 1 ? n : files[i]!));
  return names;
}

async function parseFile(file: string, strict: boolean): Promise<Parsed> {
  const recs = await readTargetRecords(file);
  if (recs.length === 0) throw new UserError(`${file}: no target examples (the file is empty)`);
  const first = recs[0]!;
  if (!first.value || typeof first.value !== "object" || Array.isArray(first.value)) {
    throw new UserError(`${file}:${first.line}: a target record must be a JSON object`);
  }
  const shape = detectShape(first.value as Rec);
  if (!shape) {
    const keys = Object.keys(first.value as Rec).join(", ");
    throw new UserError(`${file}:${first.line}: unknown target shape (fields: ${keys}); supported shapes: ${supportedShapes()}`);
  }
  const seen = new Set<string>();
  const examples: Parsed["examples"] = [];
  const problems: Parsed["problems"] = [];
  let skipped = 0;
  const skip = (line: number, reason: string) => {
    if (strict) throw new UserError(`${file}:${line}: ${reason}`, EXIT.badInput);
    skipped++;
    if (problems.length < MAX_PROBLEMS) problems.push({ line, reason });
  };
  for (const r of recs) {
    if (!r.value || typeof r.value !== "object" || Array.isArray(r.value)) {
      skip(r.line, "a target record must be a JSON object");
      continue;
    }
    const text = shape.format(r.value as Rec);
    if (text.startsWith("!")) {
      skip(r.line, `does not fit shape ${shape.name}: ${text.slice(1)}`);
      continue;
    }
    const t = text.trim();
    if (!t) {
      skip(r.line, "empty target example");
      continue;
    }
    // exact duplicates would only repeat the same ranking
    if (seen.has(t)) continue;
    seen.add(t);
    examples.push({ text: t, index: r.index });
  }
  if (examples.length === 0) throw new UserError(`${file}: no usable target examples (${skipped} records did not fit shape ${shape.name})`);
  return { file, shape: shape.name, examples, skipped, problems };
}

export async function loadTargets(
  inputs: string[],
  opts: LoadTargetOptions,
): Promise<{ examples: TargetExample[]; benchmarks: TargetBenchmark[] }> {
  if (inputs.length === 0) throw new UserError("no target files given");
  const files = await expandTargetInputs(inputs);
  const parsed: Parsed[] = [];
  for (const f of files) parsed.push(await parseFile(f, opts.strict ?? false));
  const names = benchmarkNames(files);
  if (opts.perBenchmark !== undefined && !(Number.isInteger(opts.perBenchmark) && opts.perBenchmark > 0)) {
    throw new UserError(`examples per benchmark must be a positive integer, got ${opts.perBenchmark}`);
  }
  const smallest = minOf(parsed.map((p) => p.examples.length));
  const per = opts.allExamples
    ? Infinity
    : (opts.perBenchmark ?? (parsed.length === 1 ? Infinity : Math.min(DEFAULT_PER_BENCHMARK, smallest)));

  const examples: TargetExample[] = [];
  const benchmarks: TargetBenchmark[] = [];
  parsed.forEach((p, b) => {
    const name = names[b]!;
    const chosen = chooseIndices(p.examples.length, per, opts.seed, stringSalt(name));
    for (const i of chosen) examples.push({ text: p.examples[i]!.text, benchmark: name, index: p.examples[i]!.index });
    benchmarks.push({ name, file: p.file, shape: p.shape, total: p.examples.length, used: chosen.length, skipped: p.skipped, problems: p.problems });
  });
  return { examples, benchmarks };
}
