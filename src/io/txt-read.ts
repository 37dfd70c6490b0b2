/**
 * Plain-text shards. Two ways to cut them into documents:
 * - "file" (default): the whole file is one document, id = its relative path, line 1;
 * - "paragraphs": every run of non-blank lines is one document, id = `<rel>:<first line>`,
 *   text = its lines joined with "\n" (paragraphs are separated by one or more blank lines).
 * Bytes are fed in chunks like JSONL; a paragraph (or file) that is not UTF-8 is rejected as
 * invalid_utf8 and one longer than maxLineBytes as line_too_long, without stopping the shard.
 */
import { isUtf8 } from "node:buffer";
import type { TxtSplit } from "./formats.js";
import type { RejectFn } from "./jsonl-read.js";
import { MAX_LINE_BYTES } from "./jsonl-read.js";
import { REASONS, type DocRecord } from "./record.js";

const decoder = new TextDecoder("utf-8", { ignoreBOM: false });

export class TxtParser {
  /** Physical lines seen (1-based count). */
  line = 0;
  blank = 0;
  /** Documents (or rejects) produced. */
  nonBlank = 0;
  private parts: Buffer[] = [];
  private bytes = 0;
  private tooLong = false;
  /** First line of the paragraph being collected (0 = none open). */
  private start = 0;
  /** Bytes of a line not yet ended by "\n". */
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private first = true;

  constructor(
    private readonly opts: { rel: string; split: TxtSplit; reject: RejectFn; maxBytes?: number },
  ) {}

  private get max(): number {
    return this.opts.maxBytes ?? MAX_LINE_BYTES;
  }

  push(chunk: Buffer, out: DocRecord[]): void {
    let buf = chunk;
    if (this.first) {
      this.first = false;
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    if (this.opts.split === "file") {
      this.add(buf);
      return;
    }
    let pos = 0;
    for (;;) {
      const nl = buf.indexOf(10, pos);
      if (nl < 0) break;
      this.tail.push(buf.subarray(pos, nl));
      this.tailBytes += nl - pos;
      this.endLine(out);
      pos = nl + 1;
    }
    if (pos < buf.length) {
      this.tail.push(Buffer.from(buf.subarray(pos)));
      this.tailBytes += buf.length - pos;
    }
  }

  end(out: DocRecord[]): void {
    if (this.opts.split === "file") {
      this.line = 1;
      if (this.bytes === 0 && !this.tooLong) return;
      this.start = 1;
      this.emit(out, this.opts.rel);
      return;
    }
    if (this.tailBytes > 0) this.endLine(out);
    this.closeParagraph(out);
  }

  /** Lines of a paragraph end in "\n" inside the document; the last one's is dropped at emit. */
  private endLine(out: DocRecord[]): void {
    const lineNo = ++this.line;
    const line = this.tail.length === 1 ? this.tail[0]! : Buffer.concat(this.tail, this.tailBytes);
    this.tail = [];
    this.tailBytes = 0;
    if (isBlank(line)) {
      this.blank++;
      this.closeParagraph(out);
      return;
    }
    if (this.start === 0) this.start = lineNo;
    else this.add(NEWLINE);
    this.add(line.at(-1) === 13 ? line.subarray(0, -1) : line);
  }

  private closeParagraph(out: DocRecord[]): void {
    if (this.start === 0) return;
    this.emit(out, `${this.opts.rel}:${this.start}`);
  }

  private add(b: Buffer): void {
    if (this.tooLong) return;
    this.bytes += b.length;
    if (this.bytes > this.max) {
      this.tooLong = true;
      this.parts = [];
      return;
    }
    this.parts.push(Buffer.from(b));
  }

  private emit(out: DocRecord[], id: string): void {
    const line = this.start;
    this.nonBlank++;
    const bytes = this.bytes;
    const joined = Buffer.concat(this.parts, this.tooLong ? 0 : bytes);
    const tooLong = this.tooLong;
    this.parts = [];
    this.bytes = 0;
    this.tooLong = false;
    this.start = 0;
    if (tooLong) return this.opts.reject(line, REASONS.lineTooLong, `${this.opts.split === "file" ? "file" : "paragraph"} of ${bytes} bytes exceeds the ${this.max}-byte limit`);
    if (!isUtf8(joined)) return this.opts.reject(line, REASONS.invalidUtf8, `${this.opts.split === "file" ? "file" : "paragraph"} is not valid UTF-8`);
    const text = decoder.decode(joined);
    if (this.opts.split === "file" && text.trim() === "") return; // a file of blank lines holds no document
    out.push({ id, text, fields: { id, text }, line });
  }
}

const NEWLINE = Buffer.from("\n");

function isBlank(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}
