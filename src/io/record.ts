/**
 * Record conventions of datatrove/Dolma: `text`, `id`, `metadata`; every other field is kept.
 * A record without an id gets `<relative path>:<line>` so ids stay unique and stable across
 * reruns and machines (the relative path, not the absolute one, is what makes them portable).
 */

export interface DocRecord {
  /** The record's own id (stringified) or `<rel>:<line>`. */
  id: string;
  text: string;
  metadata?: Record<string, unknown>;
  /** The whole parsed object, every field, as read. */
  fields: Record<string, unknown>;
  /** 1-based physical line (JSONL, blank lines included) or row (Parquet). */
  line: number;
  /** Original JSONL line bytes (no newline) for byte-exact pass-through writing. */
  raw?: Uint8Array;
}

/** Reason codes for rejected input; stable keys for stats (`rejected_<code>`). */
export const REASONS = {
  invalidJson: "invalid_json",
  invalidUtf8: "invalid_utf8",
  lineTooLong: "line_too_long",
  notJsonl: "not_jsonl",
  notObject: "not_object",
  missingText: "missing_text",
  textNotString: "text_not_string",
  truncated: "truncated_stream",
  corrupt: "corrupt_stream",
  emptyFile: "empty_file",
  readError: "read_error",
} as const;
export type RejectReason = (typeof REASONS)[keyof typeof REASONS];

export function defaultId(rel: string, line: number): string {
  return `${rel}:${line}`;
}

export interface FieldNames {
  textField: string;
  idField: string;
}

/**
 * Turns a parsed value into a record, or returns the reject reason. Kept allocation-light:
 * it runs once per document on the hot path.
 */
export function toRecord(
  value: unknown,
  rel: string,
  line: number,
  names: FieldNames,
): DocRecord | { reason: RejectReason; detail: string } {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { reason: REASONS.notObject, detail: `expected a JSON object, got ${describe(value)}` };
  }
  const fields = value as Record<string, unknown>;
  const text = fields[names.textField];
  if (typeof text !== "string") {
    if (text === undefined) return { reason: REASONS.missingText, detail: `no "${names.textField}" field` };
    return { reason: REASONS.textNotString, detail: `"${names.textField}" is ${describe(text)}, not a string` };
  }
  const rawId = fields[names.idField];
  const id =
    typeof rawId === "string" || typeof rawId === "number" || typeof rawId === "bigint" ? String(rawId) : defaultId(rel, line);
  const md = fields.metadata;
  const rec: DocRecord = { id, text, fields, line };
  if (md !== null && typeof md === "object" && !Array.isArray(md)) rec.metadata = md as Record<string, unknown>;
  return rec;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}
