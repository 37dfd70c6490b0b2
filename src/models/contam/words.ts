/**
 * The decontamination tokenisation rule, applied identically to benchmark items and corpus
 * documents. It is datatrove's `simplify_text` (the default TextNormConfig its n-gram decont
 * uses) followed by a whitespace split:
 *   1. lowercase;
 *   2. whitespace (Python's `str.isspace` set) separates words;
 *   3. punctuation is deleted, not turned into a space ("well-known" → "wellknown"): ASCII
 *      punctuation, the C0/C1 control characters that are not whitespace, and datatrove's list of
 *      34 non-ASCII marks (— – ’ “ ” „ « » … 。 、 fullwidth forms ...);
 *   4. NFD, and combining marks (category Mn) dropped ("é" → "e");
 *   5. each run of decimal digits (Unicode Nd) becomes "0" ("1,000" → "1000" → "0").
 * Deviations from datatrove, both sides alike: lowercasing is per code point (a final "Σ"
 * becomes "σ", not Python's "ς"), and words are whitespace-split instead of NLTK's
 * `word_tokenize` (which would also split "cannot" into "can not").
 *
 * `tokenize` streams over the UTF-16 code units once and writes, per word, a 64-bit hash (two
 * 32-bit lanes) and the word's character span in the original text; nothing is allocated per
 * word. Words of ASCII characters take a fast path (one table lookup per character); a word
 * with any other character goes, from its start, through the general path. Rare characters
 * are classified on first sight and cached.
 */
import { fmix32 } from "../../text/hash.js";

const WORD = 0; // kept as is (lowercase ASCII letters, most non-ASCII letters)
const SPACE = 1; // separates words
const DELETE = 2; // punctuation / control: removed without separating
const DIGIT = 3; // a decimal digit: a run of them becomes "0"
const UPPER = 4; // ASCII A-Z
const MAPPED = 5; // lowercase/NFD/Mn-drop changes it: emit MAP[c]
const UNKNOWN = 255;

/** datatrove's non-ASCII punctuation (its ASCII entries are all of ASCII punctuation). */
export const PUNCTUATION_NON_ASCII = [
  0x2013, 0x2014, 0x2019, 0x201c, 0x201d, 0x201e, 0x2026, 0x2236, 0x2501, 0x25ba, 0x3001, 0x3002, 0x3008, 0x3009, 0x300a, 0x300b, 0x300c, 0x300d,
  0x3010, 0x3011, 0xab, 0xb4, 0xbb, 0xff01, 0xff05, 0xff08, 0xff09, 0xff0c, 0xff0e, 0xff11, 0xff1a, 0xff1b, 0xff1f, 0xff5e,
];
/** Python's str.isspace() characters (what `\s` matches in a str pattern). */
export const WHITESPACE = [9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000];

const CLASS = new Uint8Array(65536).fill(UNKNOWN);
/** Output of MAPPED code units (BMP), as code-unit lists with digits marked by -1. */
const MAP: Array<Int32Array | undefined> = [];
/** Astral code points (emoji, rare scripts) are looked up here. */
const ASTRAL = new Map<number, { cls: number; out?: Int32Array }>();

const MN = /\p{Mn}/u;
const MN_G = /\p{Mn}/gu;
const ND = /^\p{Nd}$/u;

(function initAscii() {
  for (let c = 0; c < 128; c++) {
    if (c >= 97 && c <= 122) CLASS[c] = WORD;
    else if (c >= 65 && c <= 90) CLASS[c] = UPPER;
    else if (c >= 48 && c <= 57) CLASS[c] = DIGIT;
    else CLASS[c] = DELETE; // ASCII punctuation and controls
  }
  for (let c = 128; c < 160; c++) CLASS[c] = DELETE; // C1 controls (0x85 is whitespace, set below)
  for (const c of PUNCTUATION_NON_ASCII) CLASS[c] = DELETE;
  for (const c of WHITESPACE) CLASS[c] = SPACE;
})();

/** Lowercase, NFD, drop Mn: what one code point becomes (possibly nothing). */
function transform(s: string): string {
  return s.toLowerCase().normalize("NFD").replace(MN_G, "");
}

function encodeOut(out: string): Int32Array {
  const units = new Int32Array(out.length);
  for (let i = 0; i < out.length; i++) units[i] = ND.test(out[i]!) ? -1 : out.charCodeAt(i);
  return units;
}

function classifyBmp(c: number): number {
  const s = String.fromCharCode(c);
  let cls: number;
  if (c >= 0xd800 && c <= 0xdfff) cls = WORD; // lone surrogate: kept as a word character
  else if (ND.test(s)) cls = DIGIT;
  else if (MN.test(s)) cls = DELETE;
  else {
    const out = transform(s);
    if (out === s) cls = WORD;
    else {
      cls = MAPPED;
      MAP[c] = encodeOut(out);
    }
  }
  CLASS[c] = cls;
  return cls;
}

function classifyAstral(cp: number): { cls: number; out?: Int32Array } {
  let e = ASTRAL.get(cp);
  if (!e) {
    const s = String.fromCodePoint(cp);
    if (ND.test(s)) e = { cls: DIGIT };
    else if (MN.test(s)) e = { cls: DELETE };
    else {
      const out = transform(s);
      // astral word characters are emitted from `out` too (two code units)
      e = { cls: out === s ? WORD : MAPPED, out: encodeOut(out) };
    }
    ASTRAL.set(cp, e);
  }
  return e;
}

const SEED_A = 0x811c9dc5;
const SEED_B = 0x3c6ef372;
const PRIME_A = 0x01000193;
const PRIME_B = 0x5bd1e995;

/** Reusable per-thread buffers: word hashes (two lanes) and character spans. */
export class WordBuffer {
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  start = new Int32Array(1024);
  end = new Int32Array(1024);
  n = 0;

  grow(): void {
    const cap = this.a.length * 2;
    const g = (x: Int32Array) => {
      const y = new Int32Array(cap);
      y.set(x);
      return y;
    };
    this.a = g(this.a);
    this.b = g(this.b);
    this.start = g(this.start);
    this.end = g(this.end);
  }
}

/** ASCII fast path: the emitted (lowercased) code unit, or V_SPACE / V_DELETE / V_DIGIT. */
const V_SPACE = -1;
const V_DELETE = -2;
const V_DIGIT = -3;
const V_MULTI = -4;
const ASCII = new Int32Array(128);
for (let c = 0; c < 128; c++) ASCII[c] = CLASS[c] === WORD ? c : CLASS[c] === UPPER ? c + 32 : CLASS[c] === DIGIT ? V_DIGIT : CLASS[c] === SPACE ? V_SPACE : V_DELETE;

// Out-parameters of nonAscii(): code units consumed, and the units to emit for V_MULTI.
let width = 1;
let multi: Int32Array = new Int32Array(0);

/** Classifies the non-ASCII code unit at text[i] (a surrogate pair is one code point). */
function nonAscii(text: string, i: number, c: number): number {
  width = 1;
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) {
      width = 2;
      const e = classifyAstral(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000);
      if (e.cls === DIGIT) return V_DIGIT;
      if (e.cls === DELETE) return V_DELETE;
      multi = e.out!;
      return V_MULTI;
    }
  }
  let cls = CLASS[c]!;
  if (cls === UNKNOWN) cls = classifyBmp(c);
  switch (cls) {
    case WORD:
      return c;
    case SPACE:
      return V_SPACE;
    case DIGIT:
      return V_DIGIT;
    case MAPPED: {
      const out = MAP[c]!;
      if (out.length === 1 && out[0]! >= 0) return out[0]!;
      multi = out;
      return V_MULTI;
    }
    default:
      return V_DELETE;
  }
}

/**
 * Tokenises `text` into `buf` (word hashes and spans) and returns the number of words. The
 * hash of a word depends only on its normalised characters: `hashWord(w)` of a word printed by
 * `normalizedWords` gives the same two lanes.
 *
 * Fast path for ASCII: a word of ASCII characters is hashed in a tight loop off one table
 * lookup per character. At the first non-ASCII character the word (from its start, where the
 * state is clean) goes to the general path, which hands back at the next whitespace.
 */
export function tokenize(text: string, buf: WordBuffer): number {
  const len = text.length;
  let n = 0;
  let i = 0;
  outer: while (i < len) {
    let c = text.charCodeAt(i);
    if (c >= 128) {
      n = scanGeneral(text, buf, i, n, true);
      i = resumeAt;
      continue;
    }
    let v = ASCII[c]!;
    if (v === V_SPACE || v === V_DELETE) {
      i++;
      continue;
    }
    const start = i;
    let ha = SEED_A;
    let hb = SEED_B;
    let end = i;
    let prevDigit = false;
    for (;;) {
      if (v >= 0) {
        ha = Math.imul(ha ^ v, PRIME_A);
        hb = Math.imul(hb ^ v, PRIME_B);
        prevDigit = false;
        end = i + 1;
      } else if (v === V_SPACE) break;
      else if (v === V_DIGIT) {
        if (!prevDigit) {
          ha = Math.imul(ha ^ 48, PRIME_A);
          hb = Math.imul(hb ^ 48, PRIME_B);
          prevDigit = true;
        }
        end = i + 1;
      } // V_DELETE: dropped, the word goes on
      if (++i === len) break;
      c = text.charCodeAt(i);
      if (c >= 128) {
        n = scanGeneral(text, buf, start, n, true);
        i = resumeAt;
        continue outer;
      }
      v = ASCII[c]!;
    }
    if (n === buf.a.length) buf.grow();
    buf.a[n] = fmix32(ha) | 0;
    buf.b[n] = fmix32(hb ^ 0x27d4eb2f) | 0;
    buf.start[n] = start;
    buf.end[n] = end;
    n++;
  }
  buf.n = n;
  return n;
}

/** The general path alone, over the whole text (tests compare it with `tokenize`). */
export function tokenizeGeneral(text: string, buf: WordBuffer): number {
  const n = scanGeneral(text, buf, 0, 0, false);
  buf.n = n;
  return n;
}

// Out-parameter of scanGeneral(): where the caller resumes.
let resumeAt = 0;

/**
 * Any text, one code point at a time, from `from` (a word start or between words: clean
 * state) with `n` words already in `buf`. With `stopAtSpace`, returns at the first whitespace
 * (`resumeAt` just past it); otherwise runs to the end. Returns the word count.
 */
function scanGeneral(text: string, buf: WordBuffer, from: number, n: number, stopAtSpace: boolean): number {
  let inWord = false;
  let prevDigit = false;
  let ha = 0;
  let hb = 0;
  let start = 0;
  let end = 0;
  const len = text.length;
  let i = from;
  for (; i < len; i++) {
    const c = text.charCodeAt(i);
    let v: number;
    let w = 1;
    if (c < 128) v = ASCII[c]!;
    else {
      v = nonAscii(text, i, c);
      w = width;
    }
    if (v >= 0) {
      prevDigit = false;
      if (!inWord) {
        inWord = true;
        start = i;
        ha = SEED_A;
        hb = SEED_B;
      }
      ha = Math.imul(ha ^ v, PRIME_A);
      hb = Math.imul(hb ^ v, PRIME_B);
      end = i + w;
    } else if (v === V_SPACE) {
      prevDigit = false;
      if (inWord) {
        if (n === buf.a.length) buf.grow();
        buf.a[n] = fmix32(ha) | 0;
        buf.b[n] = fmix32(hb ^ 0x27d4eb2f) | 0;
        buf.start[n] = start;
        buf.end[n] = end;
        n++;
        inWord = false;
      }
      if (stopAtSpace) {
        resumeAt = i + w;
        return n;
      }
    } else if (v === V_DIGIT) {
      if (!(prevDigit && inWord)) {
        prevDigit = true;
        if (!inWord) {
          inWord = true;
          start = i;
          ha = SEED_A;
          hb = SEED_B;
        }
        ha = Math.imul(ha ^ 48, PRIME_A);
        hb = Math.imul(hb ^ 48, PRIME_B);
      }
      end = i + w;
    } else if (v === V_MULTI) {
      const out = multi;
      for (let k = 0; k < out.length; k++) {
        let u = out[k]!;
        if (u === -1) {
          if (prevDigit && inWord) continue;
          prevDigit = true;
          u = 48;
        } else prevDigit = false;
        if (!inWord) {
          inWord = true;
          start = i;
          ha = SEED_A;
          hb = SEED_B;
        }
        ha = Math.imul(ha ^ u, PRIME_A);
        hb = Math.imul(hb ^ u, PRIME_B);
        end = i + w;
      }
    }
    i += w - 1;
  }
  if (inWord) {
    if (n === buf.a.length) buf.grow();
    buf.a[n] = fmix32(ha) | 0;
    buf.b[n] = fmix32(hb ^ 0x27d4eb2f) | 0;
    buf.start[n] = start;
    buf.end[n] = end;
    n++;
  }
  resumeAt = len;
  return n;
}

/** The normalised words of `text` as strings (reports, tests, debugging; not the hot path). */
export function normalizedWords(text: string): string[] {
  const buf = new WordBuffer();
  const n = tokenize(text, buf);
  const words: string[] = [];
  for (let w = 0; w < n; w++) words.push(normalizeSpan(text.slice(buf.start[w], buf.end[w])));
  return words;
}

/** Applies the rule to a span known to hold one word (no whitespace). */
function normalizeSpan(s: string): string {
  let out = "";
  let prevDigit = false;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    let cls: number;
    let units: Int32Array | undefined;
    if (cp > 0xffff) {
      const e = classifyAstral(cp);
      cls = e.cls;
      units = e.out;
    } else {
      cls = CLASS[cp] === UNKNOWN ? classifyBmp(cp) : CLASS[cp]!;
      units = cls === MAPPED ? MAP[cp] : undefined;
    }
    if (cls === DELETE || cls === SPACE) continue;
    if (cls === DIGIT) {
      if (!prevDigit) out += "0";
      prevDigit = true;
    } else if (units) {
      for (const u of units) {
        if (u === -1) {
          if (!prevDigit) out += "0";
          prevDigit = true;
        } else {
          out += String.fromCharCode(u);
          prevDigit = false;
        }
      }
    } else {
      out += cls === UPPER ? ch.toLowerCase() : ch;
      prevDigit = false;
    }
  }
  return out;
}

/** The two hash lanes of one normalised word (as `normalizedWords` prints it). */
export function hashWord(word: string): [number, number] {
  let ha = SEED_A;
  let hb = SEED_B;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    ha = Math.imul(ha ^ c, PRIME_A);
    hb = Math.imul(hb ^ c, PRIME_B);
  }
  return [fmix32(ha) | 0, fmix32(hb ^ 0x27d4eb2f) | 0];
}
