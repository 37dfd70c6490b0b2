/**
 * The source text of a top-level member of a JSON object, without parsing the whole value.
 * JSON.parse turns an integer id above 2^53 into the nearest double (12345678901234567890 and
 * ...891 both become ...7000), and Node 20's JSON.parse cannot hand a reviver the source text,
 * so numeric ids are re-read from the line as written.
 */

/** Index just past the string literal that starts at `i` (s[i] === '"'). */
function skipString(s: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = s.indexOf('"', j);
    if (q < 0) return s.length;
    let bs = 0;
    for (let k = q - 1; k > i && s.charCodeAt(k) === 92; k--) bs++;
    if (bs % 2 === 0) return q + 1;
    j = q + 1;
  }
}

function skipSpace(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  return i;
}

/** Index just past the value that starts at `i`. */
function skipValue(s: string, i: number): number {
  const c = s[i];
  if (c === '"') return skipString(s, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    let j = i;
    while (j < s.length) {
      const d = s[j]!;
      if (d === '"') {
        j = skipString(s, j);
        continue;
      }
      if (d === "{" || d === "[") depth++;
      else if (d === "}" || d === "]") {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
    return j;
  }
  let j = i;
  while (j < s.length && !/[,}\]\s]/.test(s[j]!)) j++;
  return j;
}

/**
 * The raw text of the value of top-level key `key` in the JSON object `s` (the last one when the
 * key repeats, as JSON.parse keeps the last), or undefined. Assumes `s` parsed as JSON.
 */
export function topLevelValueSource(s: string, key: string): string | undefined {
  let i = skipSpace(s, 0);
  if (s[i] !== "{") return undefined;
  i++;
  let found: string | undefined;
  for (;;) {
    i = skipSpace(s, i);
    if (s[i] !== '"') return found;
    const kEnd = skipString(s, i);
    const rawKey = s.slice(i + 1, kEnd - 1);
    const name = rawKey.includes("\\") ? (JSON.parse(s.slice(i, kEnd)) as string) : rawKey;
    i = skipSpace(s, kEnd);
    if (s[i] !== ":") return found;
    i = skipSpace(s, i + 1);
    const vEnd = skipValue(s, i);
    if (name === key) found = s.slice(i, vEnd);
    i = skipSpace(s, vEnd);
    if (s[i] !== ",") return found;
    i++;
  }
}
