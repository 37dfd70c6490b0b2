/**
 * Character classes with Python 3's Unicode `re` semantics, so tokenisation matches
 * NLTK's WordPunctTokenizer (`\w+|[^\w\s]+`) as DSIR runs it.
 * Python's \w = str.isalnum() or "_" (letters L*, numbers N*); Python's \s = str.isspace(),
 * which adds \x1c-\x1f and \x85 to JavaScript's \s and drops \ufeff.
 */
export const enum CharClass {
  Word = 1,
  Space = 2,
  Other = 3,
}

// eslint-disable-next-line no-control-regex -- Python counts \x1c-\x1f as whitespace
const PY_SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;
const PY_WORD = /[\p{L}\p{N}_]/u;

// Lazily filled code point → class table (0 = not computed yet); 1.1 MB, shared by all callers.
const table = new Uint8Array(0x110000);

function compute(cp: number): CharClass {
  const ch = String.fromCodePoint(cp);
  return PY_WORD.test(ch) ? CharClass.Word : PY_SPACE.test(ch) ? CharClass.Space : CharClass.Other;
}

for (let cp = 0; cp < 128; cp++) table[cp] = compute(cp);

export function charClass(cp: number): CharClass {
  const c = table[cp];
  if (c !== 0) return c as CharClass;
  const k = compute(cp);
  table[cp] = k;
  return k;
}
