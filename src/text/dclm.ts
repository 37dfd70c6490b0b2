/**
 * DCLM's fastText preprocessing, `" ".join(text.strip().splitlines())`, with Python's
 * definitions: strip() removes Unicode whitespace, splitlines() breaks on \n \r \r\n \v \f
 * \x1c \x1d \x1e \x85 \u2028 \u2029. fastText's predict needs one line per document.
 */
// eslint-disable-next-line no-control-regex -- Python's line boundaries include control chars
const PY_LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex -- Python's str.isspace() includes \x1c-\x1f
const PY_STRIP = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

export function dclmPreprocess(text: string): string {
  return text.replace(PY_STRIP, "").replace(PY_LINE_BREAK, " ");
}
