/**
 * ARPA parser (KenLM's and SRILM's files): fed byte chunks by the caller, it builds an
 * NgramModel without a string per line. Malformed or truncated input raises ArpaFormatError
 * with the 1-based line number, which the caller prefixes with the file name.
 * Like KenLM: a missing <unk> gets log10 p = −100; a positive log probability is refused;
 * when an n-gram's suffix is missing (SRILM pruning), a "blank" suffix carrying the
 * backed-off probability is added so the suffix-extending lookup still reaches the n-gram.
 */
import { NUMBER_AT, parseArpaNumber, sharedSuffixWords, WS } from "./arpa-fields.js";
import { KEY, keyExtend, keyExtendAt, keyStart, keyStartAt } from "./key.js";
import { NgramModel, QueryState } from "./query-model.js";
// local copies: under a CommonJS transform (tsx) an imported binding costs a getter call per use
const KEY_ = KEY, keyExtend_ = keyExtend, keyStart_ = keyStart, keyStartAt_ = keyStartAt, keyExtendAt_ = keyExtendAt;
export class ArpaFormatError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

const enum St {
  Preamble,
  Counts,
  BeforeSection,
  Section,
  AfterEnd,
}

const dec = new TextDecoder();
const isSpace = (c: number) => WS[c] === 1;

export class ArpaParser {
  private state = St.Preamble;
  private lineNo = 0;
  private carry: Uint8Array | null = null;
  private counts: number[] = [];
  private model: NgramModel | null = null;
  /** order of the section being read (1-based) and lines seen in it */
  private section = 0;
  private seen = 0;
  private ids = new Int32Array(8);
  private scratchIn: QueryState | null = null;
  private scratchOut: QueryState | null = null;
  private pos = 0;
  /** Lines read so far (for messages about damage found outside the parser). */
  get linesRead(): number {
    return this.lineNo;
  }
  /** Number of blank (SRILM) n-grams added. */
  blanks = 0;

  /** The model under construction (null before the first section header). */
  get current(): NgramModel | null {
    return this.model;
  }

  /** Order of the section whose lines come next, or 0 when not inside a section. */
  get inSection(): number {
    return this.state === St.Section ? this.section : 0;
  }

  /** The current section's n-gram lines were parsed elsewhere (a parallel load): count them as read. */
  skipLines(lines: number): void {
    if (this.state !== St.Section) throw new Error("skipLines outside a section");
    this.seen += lines;
    this.lineNo += lines;
    this.prevLen = -1;
  }

  push(input: Uint8Array): void {
    // a plain Uint8Array view: node Buffers and the carried lines then share one shape, which
    // keeps every byte access in the parser monomorphic
    const chunk = input.constructor === Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    let buf = chunk;
    let start = 0;
    if (this.carry) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        const joined = new Uint8Array(this.carry.length + chunk.length);
        joined.set(this.carry);
        joined.set(chunk, this.carry.length);
        this.carry = joined;
        return;
      }
      const line = new Uint8Array(this.carry.length + nl + 1);
      line.set(this.carry);
      line.set(chunk.subarray(0, nl + 1), this.carry.length);
      this.carry = null;
      this.line(line, 0, line.length - 1);
      start = nl + 1;
    }
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      this.line(buf, start, nl);
      start = nl + 1;
    }
    if (start < buf.length) this.carry = buf.slice(start);
    buf = chunk;
  }

  end(): NgramModel {
    if (this.carry) {
      const c = this.carry;
      this.carry = null;
      this.line(c, 0, c.length);
    }
    if (this.state === St.Preamble) throw new ArpaFormatError(this.lineNo, "no \\data\\ header: not an ARPA file");
    if (this.state === St.Section) this.finishSection(this.lineNo);
    if (this.state !== St.AfterEnd) {
      const want = this.section < this.counts.length ? `\\${this.section + 1}-grams:` : "\\end\\";
      throw new ArpaFormatError(this.lineNo, `file ends before ${want} (truncated?)`);
    }
    const m = this.model!;
    if (m.vocab.findString("<unk>") === 0 && !this.sawUnk) {
      m.unkMissing = true;
      m.uniProb[0] = -100;
      m.uniBackoff[0] = 0;
    }
    return m;
  }

  private sawUnk = false;

  private line(buf: Uint8Array, s: number, e: number): void {
    this.lineNo++;
    if (e > s && buf[e - 1] === 13) e--;
    if (this.state === St.Section) {
      if (e === s) {
        this.finishSection(this.lineNo);
        this.state = St.BeforeSection;
        return;
      }
      if (buf[s] === 92 /* \ */) {
        this.finishSection(this.lineNo);
        this.state = St.BeforeSection;
        this.header(buf, s, e);
        return;
      }
      this.ngram(buf, s, e);
      return;
    }
    let a = s;
    let b = e;
    while (a < b && isSpace(buf[a])) a++;
    while (b > a && isSpace(buf[b - 1])) b--;
    if (a === b) return;
    if (this.state === St.Preamble) {
      if (dec.decode(buf.subarray(a, b)) === "\\data\\") this.state = St.Counts;
      return;
    }
    if (this.state === St.AfterEnd) throw new ArpaFormatError(this.lineNo, "text after \\end\\");
    if (this.state === St.Counts && buf[a] !== 92) {
      const m = /^ngram\s+(\d+)\s*=\s*(\d+)$/.exec(dec.decode(buf.subarray(a, b)));
      if (!m) throw new ArpaFormatError(this.lineNo, `expected "ngram N=count" in the \\data\\ header, got "${clip(dec.decode(buf.subarray(a, b)))}"`);
      const n = Number(m[1]);
      if (n !== this.counts.length + 1) throw new ArpaFormatError(this.lineNo, `expected the count of ${this.counts.length + 1}-grams, got ${n}-grams`);
      this.counts.push(Number(m[2]));
      return;
    }
    this.header(buf, a, b);
  }

  private header(buf: Uint8Array, a: number, b: number): void {
    const text = dec.decode(buf.subarray(a, b)).trim();
    if (this.state === St.Counts) {
      if (this.counts.length === 0) throw new ArpaFormatError(this.lineNo, "the \\data\\ header lists no n-gram counts");
      if (this.counts[0] < 1) throw new ArpaFormatError(this.lineNo, "the model has no unigrams");
      this.model = new NgramModel(this.counts.length, this.counts);
      this.state = St.BeforeSection;
    }
    const next = this.section + 1;
    if (text === "\\end\\") {
      if (this.section !== this.counts.length) throw new ArpaFormatError(this.lineNo, `\\end\\ before the \\${next}-grams: section (truncated?)`);
      this.state = St.AfterEnd;
      return;
    }
    const m = /^\\(\d+)-grams:$/.exec(text);
    if (!m || Number(m[1]) !== next) {
      const want = next <= this.counts.length ? `\\${next}-grams:` : "\\end\\";
      throw new ArpaFormatError(this.lineNo, `expected ${want}, got "${clip(text)}"`);
    }
    this.section = next;
    this.seen = 0;
    this.state = St.Section;
  }

  private finishSection(line: number): void {
    const want = this.counts[this.section - 1];
    if (this.seen !== want) throw new ArpaFormatError(line, `the header promises ${want} ${this.section}-grams but the section has ${this.seen} (truncated?)`);
    if (this.section === 1) {
      const m = this.model!;
      m.bos = m.vocab.findString("<s>");
      m.eos = m.vocab.findString("</s>");
      if (m.bos < 0) throw new ArpaFormatError(line, "the unigrams have no <s>");
      if (m.eos < 0) throw new ArpaFormatError(line, "the unigrams have no </s>");
    }
  }

  // The previous line of the section: its bytes, word boundaries, ids and suffix keys
  // (keyHi/keyLo[k] = key of words k..n-1). lmplz writes each order in suffix order, so a
  // line mostly shares its last words with the one before: those are not looked up again.
  private prevBuf: Uint8Array = new Uint8Array(0);
  private prevLen = -1;
  private prevWs = new Int32Array(8);
  private prevWe = new Int32Array(8);
  private keyHi = new Int32Array(8);
  private keyLo = new Int32Array(8);
  private curWs = new Int32Array(8);
  private curWe = new Int32Array(8);

  /** One n-gram line: log10 p, the words, optionally log10 backoff. */
  private ngram(buf: Uint8Array, s: number, e: number): void {
    const n = this.section;
    const m = this.model!;
    if (this.seen === this.counts[n - 1]) throw new ArpaFormatError(this.lineNo, `more ${n}-grams than the header's ${this.counts[n - 1]}`);
    if (this.seen === 0) this.prevLen = -1;
    if (this.curWs.length < n) {
      for (const k of ["prevWs", "prevWe", "keyHi", "keyLo", "curWs", "curWe"] as const) this[k] = new Int32Array(n * 2);
      this.ids = new Int32Array(n * 2);
    }
    this.pos = s;
    const prob = this.number(buf, e, "log10 probability");
    if (prob > 0) throw new ArpaFormatError(this.lineNo, `positive log probability ${prob}`);
    let p = this.pos;
    const ids = this.ids;
    const ws = this.curWs;
    const we = this.curWe;
    for (let k = 0; k < n; k++) {
      while (p < e && WS[buf[p]] === 1) p++;
      ws[k] = p;
      while (p < e && WS[buf[p]] !== 1) p++;
      we[k] = p;
      if (ws[k] === p) throw new ArpaFormatError(this.lineNo, `a ${n}-gram line needs ${n} word${n > 1 ? "s" : ""} after the probability`);
    }
    while (p < e && isSpace(buf[p])) p++;
    let backoff = 0;
    if (p < e) {
      this.pos = p;
      backoff = this.number(buf, e, "log10 backoff");
      if (!Number.isFinite(backoff)) throw new ArpaFormatError(this.lineNo, `bad backoff ${backoff}`);
      p = this.pos;
      while (p < e && isSpace(buf[p])) p++;
      if (p < e) throw new ArpaFormatError(this.lineNo, `unexpected text after the backoff: "${clip(dec.decode(buf.subarray(p, e)))}"`);
    }
    this.seen++;
    if (n === 1) {
      const a = ws[0];
      const b = we[0];
      const before = m.vocab.size;
      const isUnk = b - a === 5 && buf[a] === 60 && buf[a + 1] === 117 && buf[a + 2] === 110 && buf[a + 3] === 107 && buf[a + 4] === 62;
      const id = m.vocab.findOrAdd(buf, a, b);
      if (isUnk) this.sawUnk = true;
      else if (id < before) throw new ArpaFormatError(this.lineNo, `duplicate unigram "${clip(dec.decode(buf.subarray(a, b)))}"`);
      if (id >= m.uniProb.length) {
        const cap = Math.max(id + 1, m.uniProb.length * 2);
        const np = new Float32Array(cap);
        np.set(m.uniProb);
        m.uniProb = np;
        const nb = new Float32Array(cap);
        nb.set(m.uniBackoff);
        m.uniBackoff = nb;
        const ne = new Uint8Array(cap);
        ne.set(m.uniExtends);
        m.uniExtends = ne;
      }
      m.uniProb[id] = prob;
      m.uniBackoff[id] = backoff;
      return;
    }
    // words shared at the end with the previous line keep their ids and keys
    const shared = this.prevLen >= 0 ? sharedSuffixWords(n, buf, ws, we, this.prevBuf, this.prevWs, this.prevWe) : 0;
    const keyHi = this.keyHi;
    const keyLo = this.keyLo;
    for (let k = n - 1 - shared; k >= 0; k--) {
      const id = m.vocab.find(buf, ws[k], we[k]);
      if (id < 0) throw new ArpaFormatError(this.lineNo, `word "${clip(dec.decode(buf.subarray(ws[k], we[k])))}" of this ${n}-gram is not among the unigrams`);
      ids[k] = id;
      if (k === n - 1) keyStartAt_(keyHi, keyLo, k, id);
      else keyExtendAt_(keyHi, keyLo, k, id);
    }
    // the suffix w2..wn must exist for the lookup to reach this n-gram (SRILM may have pruned
    // it), and is flagged as extending left; a suffix shared with the previous line was done then
    if (shared < n - 1) {
      if (n === 2) m.uniExtends[ids[1]] = 1;
      else {
        const lower = m.tables[n - 2];
        let slot = lower.find(keyHi[1], keyLo[1]);
        if (slot < 0) slot = this.addBlank(ids, n);
        lower.markExtends(slot);
      }
    }
    m.tables[n - 1].insert(keyHi[0], keyLo[0], prob, backoff);
    // remember this line (its chunk stays alive while referenced)
    const lineLen = we[n - 1] - ws[0];
    this.prevBuf = buf;
    for (let k = 0; k < n; k++) {
      this.prevWs[k] = ws[k];
      this.prevWe[k] = we[k];
    }
    this.prevLen = lineLen;
  }

  /** SRILM dropped the suffix w2..wn of this n-gram: add it (and its own missing suffixes) carrying the backed-off probability; returns its slot. */
  private addBlank(ids: Int32Array, n: number): number {
    const m = this.model!;
    const len = n - 1;
    const words = ids.slice(1, n);
    if (len >= 3) {
      keyStart_(words[len - 1]);
      for (let k = len - 2; k >= 1; k--) keyExtend_(words[k]);
      const lower = m.tables[len - 2];
      let slot = lower.find(KEY_.hi, KEY_.lo);
      if (slot < 0) slot = this.addBlank(words, len);
      lower.markExtends(slot);
    } else m.uniExtends[words[1]] = 1;
    // p(w_n | w_2 .. w_{n-1}) by the model as loaded so far (lower orders are complete)
    this.scratchIn ??= new QueryState(m.order);
    this.scratchOut ??= new QueryState(m.order);
    const st = this.scratchIn;
    st.length = 0;
    let prob = 0;
    for (let k = 0; k < len; k++) {
      prob = m.score(st, words[k], this.scratchOut);
      st.copyFrom(this.scratchOut);
    }
    keyStart_(words[len - 1]);
    for (let k = len - 2; k >= 0; k--) keyExtend_(words[k]);
    this.blanks++;
    return m.tables[len - 1].insert(KEY_.hi, KEY_.lo, prob, 0);
  }

  /** The number at this.pos (arpa-number.ts); advances this.pos; a line that has none is an error naming it. */
  private number(buf: Uint8Array, e: number, what: string): number {
    const v = parseArpaNumber(buf, this.pos, e);
    this.pos = NUMBER_AT.end;
    if (Number.isNaN(v)) {
      if (!NUMBER_AT.word) throw new ArpaFormatError(this.lineNo, `expected a ${what}`);
      throw new ArpaFormatError(this.lineNo, `expected a ${what}, got "${clip(dec.decode(buf.subarray(NUMBER_AT.start, NUMBER_AT.end)).toLowerCase())}"`);
    }
    return v;
  }
}

function clip(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + "..." : s;
}
