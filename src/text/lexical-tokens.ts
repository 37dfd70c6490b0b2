/**
 * The tokens lexical selection matches on, as scikit-learn's TfidfVectorizer defaults see
 * them: lower-cased text, runs of two or more word characters (`(?u)\b\w\w+\b`, Python's
 * Unicode \w), English stop words dropped. Tokens are reported as 32-bit hashes of their
 * characters, so the scan allocates nothing per token.
 */
import { utf16Hash32 } from "./hash.js";
import { CharClass, charClass } from "./pyclass.js";
import { ENGLISH_STOP_WORDS } from "./stopwords.js";

const STOP_HASHES: ReadonlySet<number> = new Set([...ENGLISH_STOP_WORDS].map((w) => utf16Hash32(w)));

/** Calls `onToken(hash)` for each content word of `text`, in order; returns how many it reported. */
export function scanLexicalTokens(text: string, onToken: (hash: number) => void): number {
  const s = text.toLowerCase();
  const n = s.length;
  let count = 0;
  let start = -1;
  let chars = 0;
  for (let i = 0; i <= n; ) {
    let cp = i < n ? s.charCodeAt(i) : 32;
    let width = 1;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        width = 2;
      }
    }
    const word = cp < 128 ? (cp >= 97 && cp <= 122) || (cp >= 48 && cp <= 57) || cp === 95 || (cp >= 65 && cp <= 90) : charClass(cp) === CharClass.Word;
    if (word) {
      if (start < 0) start = i;
      chars++;
    } else if (start >= 0) {
      if (chars >= 2) {
        const h = utf16Hash32(s, start, i);
        if (!STOP_HASHES.has(h)) {
          onToken(h);
          count++;
        }
      }
      start = -1;
      chars = 0;
    }
    i += width;
  }
  return count;
}
