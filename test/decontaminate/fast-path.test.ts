/**
 * The tokenizer's ASCII fast path must not diverge from the general path or from the rule as
 * documented (docs/decontaminate.md). Random strings mixing ASCII words, case, digits,
 * punctuation, every kind of whitespace and non-ASCII characters at word starts, middles and
 * ends are tokenised by `tokenize` (fast path, falling back per word) and `tokenizeGeneral`
 * (general path only): same hashes, same spans. Their words are also compared with a plain
 * re-statement of the rule written here with string operations only (no tables, no hashing).
 */
import { describe, expect, it } from "vitest";
import { hashWord, normalizedWords, PUNCTUATION_NON_ASCII, tokenize, tokenizeGeneral, WordBuffer } from "../../src/models/contam/words.js";

// ---- the rule, restated ----
/** Python's str.isspace() set, written out here again (not imported). */
const SPACES = new Set([9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000]);
const NON_ASCII_PUNCT = new Set(PUNCTUATION_NON_ASCII);
const DIGIT_MARK = "\u{F0000}"; // stands for one decimal digit until runs are collapsed (a private-use code point)

function referenceWords(text: string): string[] {
  let s = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (SPACES.has(cp)) s += " ";
    else if (cp < 128 && !/[a-zA-Z0-9]/.test(ch)) continue; // ASCII punctuation and controls
    else if (cp >= 128 && cp < 160) continue; // C1 controls
    else if (NON_ASCII_PUNCT.has(cp)) continue;
    else if (/^\p{Nd}$/u.test(ch)) s += DIGIT_MARK;
    else if (cp >= 0xd800 && cp <= 0xdfff) s += ch; // a lone surrogate stays as it is
    else for (const out of ch.toLowerCase().normalize("NFD").replace(/\p{Mn}/gu, "")) s += /^\p{Nd}$/u.test(out) ? DIGIT_MARK : out;
  }
  return s
    .replace(/(?:\u{F0000})+/gu, "0")
    .split(" ")
    .filter((w) => w.length > 0);
}

// ---- random text ----
let seed = 12345;
const rand = (k: number) => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % k;
};
const pick = <T>(xs: readonly T[]) => xs[rand(xs.length)]!;
const ASCII_WORDS = ["the", "Quick", "BROWN", "fox", "x86_64", "3rd", "1,000", "v1.2.3", "well-known", "it's", "a", "I", "don't", "(roughly)", "$3.50", "e.g.", "U.S.A.", "--", "...", "@user", "#tag", "\\n", "a\u0007b", "\u007f"];
const PIECES = [
  "é", "É", "e\u0301", "ñ", "ß", "İ", "Σ", "ǅ", "ﬁ", "Å", "ø", "œ", "中", "文", "한", "ı", // letters, some mapped
  "—", "–", "’", "“", "”", "„", "«", "»", "…", "。", "、", "：", "，", "（", "）", "！", "～", // datatrove punctuation
  "٣", "४", "１", "𝟏", "²", "½", "Ⅻ", // Nd digits, and digit-like characters that are not Nd
  "\u0301", "\u0308", "\u200b", "\u200d", "\u00ad", "\u0085", "\u0080", "\u009f", // marks, format, C1
  "😀", "👍🏽", "𐐀", "𝔄", "\ud800", "\udc00", // astral (one with a lowercase mapping), lone surrogates
];
const SEPARATORS = [" ", " ", " ", "  ", "\n", "\t", "\r\n", "\u00a0", "\u2003", "\u3000", "\u2028", "\u000b", "\u001c", ""];

function randomText(asciiOnly: boolean): string {
  let s = rand(4) === 0 ? pick(SEPARATORS) : "";
  const words = rand(30);
  for (let w = 0; w < words; w++) {
    let word = "";
    const parts = 1 + rand(3);
    for (let p = 0; p < parts; p++) {
      const r = rand(10);
      if (asciiOnly || r < 6) word += pick(ASCII_WORDS);
      else if (r < 9) word += pick(PIECES);
      else word += String.fromCharCode(0x80 + rand(0x3000)); // any BMP character from there on
      if (rand(3) === 0) word += rand(2) ? String(rand(1000)) : pick(["-", ".", ",", "'", "/"]);
    }
    s += word + pick(SEPARATORS);
  }
  return s;
}

describe("tokenizer fast path", () => {
  it("gives the general path's hashes and spans on random text, and the rule's words", () => {
    const fast = new WordBuffer();
    const slow = new WordBuffer();
    let words = 0;
    let nonAscii = 0;
    for (let t = 0; t < 4000; t++) {
      const text = randomText(t % 4 === 0);
      if ([...text].some((ch) => ch.codePointAt(0)! > 127)) nonAscii++;
      const n = tokenize(text, fast);
      expect(tokenizeGeneral(text, slow), JSON.stringify(text)).toBe(n);
      for (let i = 0; i < n; i++) {
        const same = fast.a[i] === slow.a[i] && fast.b[i] === slow.b[i] && fast.start[i] === slow.start[i] && fast.end[i] === slow.end[i];
        expect(same, `${JSON.stringify(text)} word ${i}`).toBe(true);
      }
      const ref = referenceWords(text);
      expect(normalizedWords(text), JSON.stringify(text)).toEqual(ref);
      ref.forEach((w, i) => expect([fast.a[i], fast.b[i]], `${JSON.stringify(text)} word ${i}`).toEqual(hashWord(w)));
      words += n;
    }
    expect(words).toBeGreaterThan(40_000);
    expect(nonAscii).toBeGreaterThan(2500);
  });

  it("handles a non-ASCII character at every position of an ASCII text", () => {
    const base = "Hello, World! 1,000 well-known x86_64 (roughly) end.";
    const fast = new WordBuffer();
    const slow = new WordBuffer();
    for (const ch of ["é", "\u0301", "—", "\u00a0", "٣", "😀", "\udc00", "İ"]) {
      for (let k = 0; k <= base.length; k++) {
        const text = base.slice(0, k) + ch + base.slice(k);
        const n = tokenize(text, fast);
        expect(tokenizeGeneral(text, slow)).toBe(n);
        expect(Array.from(fast.a.subarray(0, n)), text).toEqual(Array.from(slow.a.subarray(0, n)));
        expect(Array.from(fast.b.subarray(0, n)), text).toEqual(Array.from(slow.b.subarray(0, n)));
        expect(Array.from(fast.start.subarray(0, n)), text).toEqual(Array.from(slow.start.subarray(0, n)));
        expect(Array.from(fast.end.subarray(0, n)), text).toEqual(Array.from(slow.end.subarray(0, n)));
        expect(normalizedWords(text), JSON.stringify(text)).toEqual(referenceWords(text));
      }
    }
  });
});
