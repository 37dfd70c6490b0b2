/**
 * JSONL parsing on Buffers: split on '\n' with Buffer.indexOf (native), validate UTF-8 once
 * per chunk with buffer.isUtf8 (and per line only when a chunk fails), JSON.parse each line.
 * Pure: bytes in, records and rejects out; the reader feeds it decompressed chunks.
 *
 * Blank (whitespace-only) lines are skipped and counted as `blank`, not as records — the way
 * datatrove's JsonlReader skips them — but they still advance the line number, so line numbers
 * always match what an editor shows.
 */
import { isAscii, isUtf8 } from "node:buffer";
import { topLevelValueSource } from "./json-token.js";
import { REASONS, toRecord, type DocRecord, type FieldNames, type RejectReason } from "./record.js";

export type RejectFn = (line: number, reason: RejectReason, detail: string) => void;

export interface JsonlParserOptions extends FieldNames {
  rel: string;
  /** Attach a zero-copy view of the line bytes as `raw` (keeps the chunk alive while held). */
  raw: boolean;
  reject: RejectFn;
  /** Longest line accepted (default 256 MiB; V8 strings cannot hold much more anyway). */
  maxLineBytes?: number;
}

export const MAX_LINE_BYTES = 256 << 20;

export class JsonlParser {
  /** Last physical line number seen (1-based). */
  line = 0;
  /** Lines that held a record or a reject (not blank). */
  nonBlank = 0;
  blank = 0;
  /** Pieces of an unterminated line, joined once when its newline arrives (no quadratic copying). */
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** Inside a line longer than maxLineBytes: its bytes are dropped until the next newline. */
  private skipping = false;
  private first = true;
  /** Set when the file turned out not to be JSON lines at all; the reader stops. */
  abandoned = false;

  constructor(private readonly opts: JsonlParserOptions) {}

  /** Parses the complete lines in `chunk`; keeps the unterminated tail for the next call. */
  push(chunk: Buffer, out: DocRecord[]): void {
    if (this.abandoned) return;
    let buf = chunk;
    if (this.first) {
      this.first = false;
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    let pos = 0;
    if (this.partBytes > 0 || this.skipping) {
      const nl = buf.indexOf(10);
      if (nl < 0) {
        this.addPart(buf);
        return;
      }
      this.addPart(buf.subarray(0, nl));
      this.finishLine(out);
      pos = nl + 1;
    }
    const last = buf.lastIndexOf(10);
    if (last >= pos) {
      // One pass over all complete lines: pure ASCII (decode as latin1, ~3x cheaper than
      // UTF-8) or valid UTF-8; per-line checks only when the chunk as a whole fails.
      const region = buf.subarray(pos, last);
      const state = isAscii(region) ? ASCII : isUtf8(region) ? UTF8 : UNKNOWN;
      while (pos <= last && !this.abandoned) {
        const nl = buf.indexOf(10, pos);
        this.parseLine(buf, pos, nl, state, out);
        pos = nl + 1;
      }
    }
    if (pos < buf.length && !this.abandoned) this.addPart(buf.subarray(pos));
  }

  /** Flushes a final line without a trailing newline. */
  end(out: DocRecord[]): void {
    if (this.abandoned) return;
    if (this.partBytes > 0 || this.skipping) this.finishLine(out);
  }

  /** Drops an unterminated tail (the stream was cut short); returns its length in bytes. */
  discardPending(): number {
    const n = this.partBytes;
    this.parts = [];
    this.partBytes = 0;
    this.skipping = false;
    return n;
  }

  private addPart(piece: Buffer): void {
    this.partBytes += piece.length;
    if (this.skipping) return;
    if (this.partBytes > this.maxLine) {
      // A runaway line (binary data, a file that is not JSONL): stop buffering it.
      this.skipping = true;
      this.parts = [];
      return;
    }
    this.parts.push(Buffer.from(piece)); // copy: don't pin the whole chunk for a tail
  }

  private finishLine(out: DocRecord[]): void {
    if (this.skipping) {
      const lineNo = ++this.line;
      this.nonBlank++;
      this.opts.reject(lineNo, REASONS.lineTooLong, `line of ${this.partBytes} bytes exceeds the ${this.maxLine}-byte limit`);
    } else {
      const joined = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partBytes);
      this.parseLine(joined, 0, joined.length, UNKNOWN, out);
    }
    this.parts = [];
    this.partBytes = 0;
    this.skipping = false;
  }

  private get maxLine(): number {
    return this.opts.maxLineBytes ?? MAX_LINE_BYTES;
  }

  private parseLine(buf: Buffer, start: number, end: number, state: Encoding, out: DocRecord[]): void {
    const lineNo = ++this.line;
    if (start === end || isSpace(buf[start]!)) {
      if (isBlank(buf, start, end)) {
        this.blank++;
        return;
      }
    }
    this.nonBlank++;
    const o = this.opts;
    if (end - start > this.maxLine) {
      o.reject(lineNo, REASONS.lineTooLong, `line of ${end - start} bytes exceeds the ${this.maxLine}-byte limit`);
      return;
    }
    if (state !== ASCII) {
      // Most lines of a mixed chunk are still ASCII, and latin1 decoding is the cheap path.
      const line = buf.subarray(start, end);
      if (isAscii(line)) state = ASCII;
      else if (state === UNKNOWN && !isUtf8(line)) {
        o.reject(lineNo, REASONS.invalidUtf8, "line is not valid UTF-8");
        return;
      }
    }
    let value: unknown;
    let text: string;
    try {
      text = buf.toString(state === ASCII ? "latin1" : "utf8", start, end);
      value = JSON.parse(text);
    } catch (err) {
      if (this.nonBlank === 1 && looksLikeWholeJson(buf, start, end)) {
        // A pretty-printed JSON document or array, not JSON lines: one clear reject, not thousands.
        this.abandoned = true;
        o.reject(lineNo, REASONS.notJsonl, "the file looks like a JSON document/array, not JSON lines (one object per line); convert it, e.g. jq -c '.[]'");
        return;
      }
      o.reject(lineNo, REASONS.invalidJson, (err as Error).message);
      return;
    }
    const rec = toRecord(value, o.rel, lineNo, o);
    if ("reason" in rec) {
      o.reject(lineNo, rec.reason, rec.detail);
      return;
    }
    // A numeric id keeps its spelling: 12345678901234567890 must not become 12345678901234567000.
    if (typeof rec.fields[o.idField] === "number") rec.id = topLevelValueSource(text, o.idField) ?? rec.id;
    if (o.raw) rec.raw = buf.subarray(start, end);
    out.push(rec);
  }
}

type Encoding = 0 | 1 | 2;
const UNKNOWN = 0;
const ASCII = 1;
/** The chunk is valid UTF-8 (so each line is), not known to be ASCII. */
const UTF8 = 2;

/** First line is a lone "[" / "{" or starts a JSON array: a whole-file JSON document. */
function looksLikeWholeJson(buf: Buffer, start: number, end: number): boolean {
  let i = start;
  while (i < end && isSpace(buf[i]!)) i++;
  let j = end;
  while (j > i && isSpace(buf[j - 1]!)) j--;
  if (j - i === 1 && (buf[i] === 0x5b || buf[i] === 0x7b)) return true;
  return buf[i] === 0x5b;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d;
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isSpace(buf[i]!)) return false;
  return true;
}
