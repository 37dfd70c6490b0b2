/**
 * Target examples for BETR: benchmark files → one text per example, balanced across benchmarks.
 * Default: equal examples per benchmark, min(DEFAULT_PER_BENCHMARK, smallest benchmark) each;
 * a single benchmark (e.g. a file of your own task examples) is used whole.
 */
import path from "node:path";
import { EXIT, UserError } from "../util/errors.js";
import { expandTargetInputs, readTargetRecords } from "./read.js";
import { detectShape, supportedShapes, type Rec, type Shape } from "./shapes.js";
import { chooseIndices, stringSalt } from "./sample.js";
import { minOf, pushAll } from "../util/array.js";

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
  /** Take each example's text from this field (CSV/TSV column, JSON field) instead of detecting a benchmark shape. */
  targetField?: string;
  /** The corpus' text field (`--text-field`): target records carrying it are read as plain text examples. */
  textField?: string;
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
  // Splits of one benchmark in one directory (arc-challenge.train…, arc-challenge.validation…) are one benchmark.
  const short = files.map((f) => baseName(f).replace(SPLIT, ""));
  const group = files.map((f, i) => `${path.dirname(f)}\u0000${short[i]}`);
  const distinct = (arr: string[], v: string, i: number) => arr.every((x, j) => x !== v || group[j] === group[i]);
  let names = short.map((n, i) => (distinct(short, n, i) ? n : `${path.basename(path.dirname(files[i]!))}/${n}`));
  names = names.map((n, i) => (distinct(names, n, i) ? n : path.join(path.dirname(files[i]!), short[i]!)));
  return names;
}

/** The split a target file name declares (`.validation`, `.test`, ...), if any. */
export function splitOf(file: string): string | undefined {
  return SPLIT.exec(baseName(file))?.[1]?.toLowerCase();
}

const EVAL_SPLITS = new Set(["validation", "valid", "val", "dev", "test"]);

/** A shape that reads one named field as the example text (`--target-field`, or the corpus' `--text-field`). */
function fieldShape(field: string): Shape {
  return {
    name: `field:${field}`,
    fields: `{"${field}"}`,
    detect: (r) => typeof r[field] === "string",
    format: (r) => (typeof r[field] === "string" ? (r[field] as string) : `!no string field "${field}"`),
  };
}

async function parseFile(file: string, strict: boolean, fields: { targetField?: string; textField?: string } = {}): Promise<Parsed> {
  const recs = await readTargetRecords(file);
  if (recs.length === 0) throw new UserError(`${file}: no target examples (the file is empty)`);
  const first = recs[0]!;
  if (!first.value || typeof first.value !== "object" || Array.isArray(first.value)) {
    throw new UserError(`${file}:${first.line}: a target record must be a JSON object`);
  }
  if (fields.targetField && !(fields.targetField in (first.value as Rec))) {
    throw new UserError(`${file}:${first.line}: no field "${fields.targetField}" (--target-field); fields: ${Object.keys(first.value as Rec).join(", ")}`);
  }
  const byField = fields.targetField ?? (fields.textField && typeof (first.value as Rec)[fields.textField] === "string" ? fields.textField : undefined);
  const shape = byField ? fieldShape(byField) : detectShape(first.value as Rec);
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
): Promise<{ examples: TargetExample[]; benchmarks: TargetBenchmark[]; warnings: string[] }> {
  if (inputs.length === 0) throw new UserError("no target files given");
  const files = await expandTargetInputs(inputs);
  const fileNames = benchmarkNames(files);
  const warnings: string[] = [];
  // One Parsed per benchmark: its splits' examples together (first file's shape), duplicates dropped.
  const byName = new Map<string, Parsed>();
  for (let i = 0; i < files.length; i++) {
    const p = await parseFile(files[i]!, opts.strict ?? false, { targetField: opts.targetField, textField: opts.textField });
    const split = splitOf(files[i]!);
    if (split && EVAL_SPLITS.has(split))
      warnings.push(`targets ${fileNames[i]} come from its ${split} split (${files[i]}): documents chosen to look like evaluation items can contain them, which inflates that benchmark's scores; prefer train splits as targets, or check the selection for contamination`);
    const prev = byName.get(fileNames[i]!);
    if (!prev) byName.set(fileNames[i]!, p);
    else {
      const seen = new Set(prev.examples.map((e) => e.text));
      const offset = prev.examples.length + prev.skipped;
      for (const e of p.examples) if (!seen.has(e.text)) prev.examples.push({ text: e.text, index: offset + e.index });
      prev.file += `, ${p.file}`;
      prev.skipped += p.skipped;
      pushAll(prev.problems, p.problems.slice(0, Math.max(0, MAX_PROBLEMS - prev.problems.length)));
    }
  }
  const names = [...byName.keys()];
  const parsed = [...byName.values()];
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
  return { examples, benchmarks, warnings };
}
