/**
 * KenLM's `query` over a stream of text bytes: words split on space, \t, \n, \v, \f, \r;
 * each line is scored from <s> and closed with </s>; per word "word=<id> <matched order>
 * <log10 p>\t", per line "Total: <log10> OOV: <n>", then the perplexity summary. As in KenLM,
 * a last line without a newline has its words scored and counted as tokens, but gets no </s>,
 * no Total line, and does not enter the corpus total. Output goes to a callback as bytes.
 */
import { NgramModel, QueryState } from "./query-model.js";
import { formatDouble, formatFloat32, writeFloat32Shortest, writeUint } from "./format.js";

export interface QueryPrint {
  word: boolean;
  line: boolean;
  summary: boolean;
}

export interface QuerySummary {
  perplexity: number;
  perplexityExcludingOov: number;
  oov: number;
  tokens: number;
  /** Σ log10 p over complete lines (KenLM's corpus total). */
  log10Total: number;
  lines: number;
}

const SPACE = new Uint8Array(256);
for (const c of [9, 10, 11, 12, 13, 32]) SPACE[c] = 1;
const OUT = 1 << 20;
const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);
// 4096 slots (112 KB) stay in L2 beside the tables; 65536 (1.8 MB) missed there on every lookup
// and scored 16% slower: most printed values occur once, few hits to win
const CACHE_MASK = (1 << 12) - 1;
/** bytes per cache slot: a length byte and up to 23 characters */
const CACHE_SLOT = 24;
const enc = new TextEncoder();

export class TextQuery {
  private state: QueryState;
  private next: QueryState;
  private lineTotal = 0;
  private lineOov = 0;
  private inLine = false;
  private carry: Uint8Array | null = null;
  private out = new Uint8Array(OUT);
  private outPos = 0;
  private cacheKeys = new Int32Array(CACHE_MASK + 1);
  private cacheBytes = new Uint8Array((CACHE_MASK + 1) * CACHE_SLOT);
  corpusTotal = 0;
  corpusOovOnly = 0;
  /** When set, each complete line's float32 total and each OOV's log10 p, in order: a caller
   * scoring a text in parts adds them up in the one order that reproduces the sums exactly. */
  lineTotals: number[] | null = null;
  oovProbs: number[] | null = null;
  oov = 0;
  tokens = 0;
  lines = 0;

  constructor(
    private readonly model: NgramModel,
    private readonly print: QueryPrint,
    private readonly emit: (bytes: Uint8Array) => void,
    private readonly sentenceContext = true,
  ) {
    this.state = new QueryState(model.order);
    this.next = new QueryState(model.order);
  }

  push(input: Uint8Array): void {
    // one element shape (plain Uint8Array) for Buffers and joined carries alike
    const chunk = input.constructor === Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    let buf = chunk;
    if (this.carry) {
      const j = new Uint8Array(this.carry.length + chunk.length);
      j.set(this.carry);
      j.set(chunk, this.carry.length);
      buf = j;
      this.carry = null;
    }
    // keep a word cut at the chunk end for the next push
    let end = buf.length;
    while (end > 0 && !SPACE[buf[end - 1]]) end--;
    if (end < buf.length) this.carry = buf.slice(end);
    this.scan(buf, 0, end);
  }

  /** Ends the input; returns the summary (and prints it when asked). */
  end(): QuerySummary {
    if (this.carry) {
      const c = this.carry;
      this.carry = null;
      this.scan(c, 0, c.length);
    }
    // an unterminated last line: words counted, no </s>, no Total (KenLM's behaviour)
    const s = summarize(this.corpusTotal, this.corpusOovOnly, this.oov, this.tokens, this.lines);
    if (this.print.summary) this.text(summaryText(s));
    this.flush();
    return s;
  }

  flush(): void {
    if (this.outPos > 0) {
      this.emit(this.out.slice(0, this.outPos));
      this.outPos = 0;
    }
  }

  private scan(buf: Uint8Array, start: number, end: number): void {
    const m = this.model;
    let i = start;
    while (i < end) {
      const c = buf[i];
      if (c === 10) {
        if (!this.inLine) this.startLine();
        this.endLine();
        i++;
        continue;
      }
      if (SPACE[c]) {
        i++;
        continue;
      }
      const ws = i;
      while (i < end && !SPACE[buf[i]]) i++;
      if (!this.inLine) this.startLine();
      const id = m.index(buf, ws, i);
      const p = m.score(this.state, id, this.next);
      if (id === 0) {
        this.lineOov++;
        this.corpusOovOnly += p;
        this.oovProbs?.push(p);
      }
      this.lineTotal = Math.fround(this.lineTotal + p);
      this.tokens++;
      if (this.print.word) this.word(buf, ws, i, id, m.lastLength, p);
      const t = this.state;
      this.state = this.next;
      this.next = t;
    }
  }

  private startLine(): void {
    this.inLine = true;
    if (this.sentenceContext) this.model.beginSentence(this.state);
    else this.model.nullContext(this.state);
    this.lineTotal = 0;
    this.lineOov = 0;
  }

  private endLine(): void {
    const m = this.model;
    if (this.sentenceContext) {
      const p = m.score(this.state, m.eos, this.next);
      this.lineTotal = Math.fround(this.lineTotal + p);
      this.tokens++;
      if (this.print.word) this.word(EOS_BYTES, 0, EOS_BYTES.length, m.eos, m.lastLength, p);
    }
    if (this.print.line) {
      this.ensure(64);
      this.ascii("Total: ");
      this.bytes(this.float(this.lineTotal));
      this.ascii(" OOV: ");
      this.outPos = writeUint(this.out, this.outPos, this.lineOov);
      this.out[this.outPos++] = 10;
    }
    this.corpusTotal += this.lineTotal;
    this.lineTotals?.push(this.lineTotal);
    this.oov += this.lineOov;
    this.lines++;
    this.inLine = false;
  }

  private word(buf: Uint8Array, s: number, e: number, id: number, len: number, p: number): void {
    this.ensure(e - s + 64);
    const out = this.out;
    let o = this.outPos;
    for (let k = s; k < e; k++) out[o++] = buf[k];
    out[o++] = 61;
    o = writeUint(out, o, id);
    out[o++] = 32;
    o = writeUint(out, o, len);
    out[o++] = 32;
    this.outPos = o;
    this.writeFloat(p);
    this.out[this.outPos++] = 9;
  }

  /** KenLM's shortest float32 text, from a small direct-mapped cache keyed by the float's bits (sentence ends and frequent words repeat theirs). */
  private float(x: number): Uint8Array {
    F32[0] = x;
    const bits = I32[0];
    let h = Math.imul(bits, 0x9e3779b1);
    h = (h ^ (h >>> 15)) & CACHE_MASK;
    const o = h * CACHE_SLOT;
    const cb = this.cacheBytes;
    if (this.cacheKeys[h] !== bits || cb[o] === 0) {
      const end = writeFloat32Shortest(cb, o + 1, x);
      if (end < 0) return enc.encode(formatFloat32(x));
      this.cacheKeys[h] = bits;
      cb[o] = end - o - 1;
    }
    return cb.subarray(o + 1, o + 1 + cb[o]);
  }

  private writeFloat(x: number): void {
    F32[0] = x;
    const bits = I32[0];
    let h = Math.imul(bits, 0x9e3779b1);
    h = (h ^ (h >>> 15)) & CACHE_MASK;
    const o = h * CACHE_SLOT;
    const cb = this.cacheBytes;
    if (this.cacheKeys[h] === bits && cb[o] !== 0) {
      const len = cb[o];
      this.ensure(len);
      const out = this.out;
      let p = this.outPos;
      for (let k = 1; k <= len; k++) out[p++] = cb[o + k];
      this.outPos = p;
      return;
    }
    this.bytes(this.float(x));
  }

  private ensure(n: number): void {
    if (this.outPos + n > this.out.length) {
      this.flush();
      if (n > this.out.length) this.out = new Uint8Array(n * 2);
    }
  }

  private bytes(b: Uint8Array): void {
    this.ensure(b.length);
    for (let k = 0; k < b.length; k++) this.out[this.outPos++] = b[k];
  }

  private ascii(s: string): void {
    this.ensure(s.length);
    for (let k = 0; k < s.length; k++) this.out[this.outPos++] = s.charCodeAt(k);
  }

  private text(s: string): void {
    this.bytes(enc.encode(s));
  }
}

const EOS_BYTES = enc.encode("</s>");

/** The corpus figures KenLM's query prints at the end. */
export function summarize(corpusTotal: number, corpusOovOnly: number, oov: number, tokens: number, lines: number): QuerySummary {
  return {
    perplexity: Math.pow(10, -(corpusTotal / tokens)),
    perplexityExcludingOov: Math.pow(10, -((corpusTotal - corpusOovOnly) / (tokens - oov))),
    oov,
    tokens,
    log10Total: corpusTotal,
    lines,
  };
}

export function summaryText(s: QuerySummary): string {
  return `Perplexity including OOVs:\t${formatDouble(s.perplexity)}\nPerplexity excluding OOVs:\t${formatDouble(s.perplexityExcludingOov)}\nOOVs:\t${s.oov}\nTokens:\t${s.tokens}\n`;
}
