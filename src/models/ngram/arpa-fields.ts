/**
 * The fields of an ARPA line, read straight from the bytes (no string per number or word): the
 * one copy both ARPA readers use, the sequential one (arpa-read.ts) and the threaded sections
 * (arpa-section.ts). Numbers are rounded to float32, as KenLM stores them.
 */

/** ARPA fields are separated by spaces and tabs. */
export const WS = new Uint8Array(256);
WS[32] = 1;
WS[9] = 1;

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const dec = new TextDecoder();

/** Where the last parseArpaNumber call found its token, [start, end) in the buffer, and whether it was a word (inf, garbage) rather than digits. */
export const NUMBER_AT = { start: 0, end: 0, word: false };

/**
 * The decimal number (or ±inf, ±infinity) that starts after any spaces at `p` and ends before
 * `e` or the next space, as float32; NaN when the token is not one. Sets NUMBER_AT to the token.
 * Up to 15 significant digits and a power of ten within 1e±22 are exact in double arithmetic;
 * anything else goes through Number() on its text.
 */
export function parseArpaNumber(buf: Uint8Array, p: number, e: number): number {
  while (p < e && WS[buf[p]!] === 1) p++;
  const s = p;
  NUMBER_AT.start = s;
  NUMBER_AT.word = false;
  let neg = false;
  if (buf[p] === 45) {
    neg = true;
    p++;
  } else if (buf[p] === 43) p++;
  let mant = 0;
  let digits = 0;
  let scale = 0;
  let c = buf[p]!;
  while (p < e && c >= 48 && c <= 57) {
    mant = mant * 10 + (c - 48);
    digits++;
    c = buf[++p]!;
  }
  if (c === 46) {
    c = buf[++p]!;
    while (p < e && c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      digits++;
      scale++;
      c = buf[++p]!;
    }
  }
  let exp = 0;
  if (digits > 0 && p < e && (c === 101 || c === 69)) {
    let q = p + 1;
    let eneg = false;
    if (buf[q] === 45) {
      eneg = true;
      q++;
    } else if (buf[q] === 43) q++;
    let ed = 0;
    while (q < e && buf[q]! >= 48 && buf[q]! <= 57) {
      exp = exp * 10 + (buf[q]! - 48);
      q++;
      ed++;
    }
    if (ed > 0) {
      p = q;
      if (eneg) exp = -exp;
    } else exp = 0;
  }
  if (p < e && WS[buf[p]!] !== 1) {
    // not a plain number: inf, infinity, or garbage
    let q = s;
    while (q < e && WS[buf[q]!] !== 1) q++;
    NUMBER_AT.end = q;
    NUMBER_AT.word = true;
    const word = dec.decode(buf.subarray(s, q)).toLowerCase();
    if (word === "-inf" || word === "-infinity") return -Infinity;
    if (word === "inf" || word === "infinity" || word === "+inf") return Infinity;
    return NaN;
  }
  NUMBER_AT.end = p;
  if (digits === 0) return NaN;
  let v: number;
  const e10 = exp - scale;
  if (digits <= 15 && e10 >= -22 && e10 <= 22) v = e10 < 0 ? mant / POW10[-e10]! : mant * POW10[e10]!;
  else v = Number(dec.decode(buf.subarray(buf[s] === 45 || buf[s] === 43 ? s + 1 : s, p)));
  return Math.fround(neg ? -v : v);
}

/**
 * How many of the last words of an n-gram line (word k spans [ws[k], we[k]) of `buf`) repeat the
 * previous line's (spans in `prev`): ARPA sections are sorted, so neighbours share suffixes and
 * those words keep their ids and keys.
 */
export function sharedSuffixWords(n: number, buf: Uint8Array, ws: Int32Array, we: Int32Array, prev: Uint8Array, prevWs: Int32Array, prevWe: Int32Array): number {
  let shared = 0;
  for (let k = n - 1; k >= 0; k--) {
    const len = we[k]! - ws[k]!;
    const ps = prevWs[k]!;
    if (prevWe[k]! - ps !== len) break;
    let i = 0;
    const base = ws[k]!;
    while (i < len && prev[ps + i] === buf[base + i]) i++;
    if (i !== len) break;
    shared++;
  }
  return shared;
}
