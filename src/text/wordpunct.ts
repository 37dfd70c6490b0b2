/**
 * DSIR's tokenizer: `text.lower()` then NLTK's WordPunctTokenizer regex `\w+|[^\w\s]+`
 * (runs of word characters, or runs of punctuation), with Python's Unicode classes.
 */
import { CharClass, charClass } from "./pyclass.js";

/**
 * Calls `onToken(start, end)` for each token of `lower` (already lower-cased), as UTF-16
 * offsets. No allocation per token, so hashing code can read the characters in place.
 */
export function scanTokens(lower: string, onToken: (start: number, end: number) => void): void {
  const n = lower.length;
  let start = -1;
  let cls = 0;
  for (let i = 0; i < n; ) {
    let cp = lower.charCodeAt(i);
    let width = 1;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
      const lo = lower.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        width = 2;
      }
    }
    const c = cp < 128 ? ASCII[cp] : charClass(cp);
    if (c !== cls) {
      if (start >= 0 && cls !== CharClass.Space) onToken(start, i);
      start = i;
      cls = c;
    }
    i += width;
  }
  if (start >= 0 && cls !== CharClass.Space) onToken(start, n);
}

const ASCII = new Uint8Array(128);
for (let i = 0; i < 128; i++) ASCII[i] = charClass(i);

/** The token strings of `text` (lower-cased), as DSIR's `wpt.tokenize(text.lower())`. */
export function wordPunctTokenize(text: string): string[] {
  const lower = text.toLowerCase();
  const out: string[] = [];
  scanTokens(lower, (s, e) => out.push(lower.slice(s, e)));
  return out;
}

/** Whitespace-separated words: datatailor's "token" for keep-by-tokens accounting. */
export function countWhitespaceWords(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0x3000 || (c >= 0x2000 && c <= 0x200a);
    if (space) inWord = false;
    else if (!inWord) {
      inWord = true;
      n++;
    }
  }
  return n;
}
