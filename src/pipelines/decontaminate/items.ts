/**
 * Evaluation items from benchmark files, in every target format `select` reads (JSONL, .jsonl.gz,
 * a JSON array, plain text; directories walked), with the benchmark shape detected from the
 * first record. Each item's text is what select's shape formats as a target example: question
 * and gold answer for QA shapes, with the passage (or support, context) where the benchmark has
 * one; wrong options are left out. Unlike select's targets, every item is kept (no sampling, no
 * dropping of duplicates), so item numbers are rows of their files.
 */
import { EXIT, UserError } from "../../util/errors.js";
import { expandTargetInputs, readTargetRecords } from "../../targets/read.js";
import { detectShape, supportedShapes, type Rec } from "../../targets/shapes.js";
import { benchmarkNames } from "../../targets/index.js";

export interface BenchmarkInfo {
  name: string;
  file: string;
  shape: string;
  /** Items indexed. */
  items: number;
  /** Records that did not fit the file's shape (skipped unless strict). */
  skipped: number;
  problems: Array<{ line: number; reason: string }>;
}

export interface EvalItem {
  benchmark: number;
  /** 0-based row of the record in its file. */
  index: number;
  /** The record's own `id` (or `idx`), when it has one. */
  id: string | null;
  text: string;
}

export interface EvalItems {
  benchmarks: BenchmarkInfo[];
  items: EvalItem[];
}

const MAX_PROBLEMS = 10;

function ownId(r: Rec): string | null {
  for (const k of ["id", "idx", "doc_id", "native_id"]) {
    const v = r[k];
    if (typeof v === "string" || (typeof v === "number" && Number.isFinite(v))) return String(v);
  }
  return null;
}

export async function loadEvalItems(inputs: string[], opts: { strict?: boolean } = {}): Promise<EvalItems> {
  if (inputs.length === 0) throw new UserError("no benchmark files given (--against)", EXIT.usage);
  const files = await expandTargetInputs(inputs);
  const names = benchmarkNames(files);
  const benchmarks: BenchmarkInfo[] = [];
  const items: EvalItem[] = [];
  for (let b = 0; b < files.length; b++) {
    const file = files[b]!;
    const recs = await readTargetRecords(file);
    if (recs.length === 0) throw new UserError(`${file}: no evaluation items (the file is empty)`);
    const first = recs[0]!;
    const firstValue = first.value;
    if (!firstValue || typeof firstValue !== "object" || Array.isArray(firstValue)) throw new UserError(`${file}:${first.line}: a benchmark record must be a JSON object`);
    const shape = detectShape(firstValue as Rec);
    if (!shape) {
      const keys = Object.keys(firstValue as Rec).join(", ");
      throw new UserError(`${file}:${first.line}: unknown benchmark shape (fields: ${keys}); supported shapes: ${supportedShapes()}`);
    }
    const info: BenchmarkInfo = { name: names[b]!, file, shape: shape.name, items: 0, skipped: 0, problems: [] };
    const skip = (line: number, reason: string) => {
      if (opts.strict) throw new UserError(`${file}:${line}: ${reason}`, EXIT.badInput);
      info.skipped++;
      if (info.problems.length < MAX_PROBLEMS) info.problems.push({ line, reason });
    };
    for (const r of recs) {
      if (!r.value || typeof r.value !== "object" || Array.isArray(r.value)) {
        skip(r.line, "a benchmark record must be a JSON object");
        continue;
      }
      const text = shape.format(r.value as Rec);
      if (text.startsWith("!")) {
        skip(r.line, `does not fit shape ${shape.name}: ${text.slice(1)}`);
        continue;
      }
      if (!text.trim()) {
        skip(r.line, "empty item");
        continue;
      }
      items.push({ benchmark: b, index: r.index, id: ownId(r.value as Rec), text });
      info.items++;
    }
    if (info.items === 0) throw new UserError(`${file}: no usable evaluation items (${info.skipped} records did not fit shape ${shape.name})`);
    benchmarks.push(info);
  }
  return { benchmarks, items };
}
