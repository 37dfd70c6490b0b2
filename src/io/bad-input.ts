/**
 * Bad input is counted with file, line and reason, never silently dropped. `strict` turns the
 * first one into a UserError (exit code EXIT.badInput) naming file and line. A log is a plain
 * accumulator so worker threads can each keep one and the coordinator merges their summaries.
 */
import { EXIT, UserError } from "../util/errors.js";

export interface BadInputExample {
  file: string;
  line: number;
  reason: string;
  detail?: string;
}

/** JSON form of a log, for stats.json and for moving between threads/processes. */
export interface BadInputSummary {
  total: number;
  byReason: Record<string, number>;
  byFile: Record<string, number>;
  examples: BadInputExample[];
}

export interface BadInputOptions {
  strict?: boolean;
  /** Examples kept for the report; counts are always complete. Default 20. */
  maxExamples?: number;
}

export class BadInputError extends UserError {
  constructor(readonly example: BadInputExample & { path?: string }) {
    const where = example.path ?? example.file;
    const line = example.line > 0 ? `line ${example.line}` : "whole file";
    super(`bad input in ${where} (${line}): ${example.reason}${example.detail ? ` — ${example.detail}` : ""}`, EXIT.badInput);
    this.name = "BadInputError";
  }
}

export class BadInputLog {
  readonly strict: boolean;
  readonly maxExamples: number;
  private count = 0;
  private readonly files = new Map<string, number>();
  private readonly reasons = new Map<string, number>();
  private readonly kept: BadInputExample[] = [];

  constructor(opts: BadInputOptions = {}) {
    this.strict = opts.strict ?? false;
    this.maxExamples = opts.maxExamples ?? 20;
  }

  /**
   * Records one bad input. `file` is the name kept in the log (a shard's relative path);
   * `path`, when given, is the full path used in the strict error message.
   * Line 0 means the problem concerns the whole file (e.g. an empty file).
   */
  add(file: string, line: number, reason: string, detail?: string, path?: string): void {
    if (this.strict) throw new BadInputError({ file, line, reason, detail, path });
    this.count++;
    this.files.set(file, (this.files.get(file) ?? 0) + 1);
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
    if (this.kept.length < this.maxExamples) this.kept.push(detail ? { file, line, reason, detail } : { file, line, reason });
  }

  get total(): number {
    return this.count;
  }

  /** Bad inputs in one file (0 when none). */
  countFor(file: string): number {
    return this.files.get(file) ?? 0;
  }

  byFile(): Map<string, number> {
    return new Map(this.files);
  }

  byReason(): Record<string, number> {
    return sortedRecord(this.reasons);
  }

  examples(): BadInputExample[] {
    return this.kept.slice();
  }

  toJSON(): BadInputSummary {
    return { total: this.count, byReason: this.byReason(), byFile: sortedRecord(this.files), examples: this.examples() };
  }

  /** Adds another log's summary (from a worker) without re-triggering strict mode. */
  merge(other: BadInputSummary | BadInputLog): this {
    const s = other instanceof BadInputLog ? other.toJSON() : other;
    this.count += s.total;
    for (const [k, v] of Object.entries(s.byFile)) this.files.set(k, (this.files.get(k) ?? 0) + v);
    for (const [k, v] of Object.entries(s.byReason)) this.reasons.set(k, (this.reasons.get(k) ?? 0) + v);
    for (const e of s.examples) {
      if (this.kept.length >= this.maxExamples) break;
      this.kept.push(e);
    }
    return this;
  }

  static fromJSON(s: BadInputSummary, opts: BadInputOptions = {}): BadInputLog {
    return new BadInputLog(opts).merge(s);
  }
}

/** Merges summaries deterministically: examples ordered by file, then line, whatever the merge order. */
export function mergeBadInput(parts: BadInputSummary[], maxExamples = 20): BadInputSummary {
  const all = new BadInputLog({ maxExamples: Number.MAX_SAFE_INTEGER });
  for (const p of parts) all.merge(p);
  const s = all.toJSON();
  s.examples.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  s.examples = s.examples.slice(0, maxExamples);
  return s;
}

function sortedRecord(m: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...m.keys()].sort()) out[k] = m.get(k)!;
  return out;
}
