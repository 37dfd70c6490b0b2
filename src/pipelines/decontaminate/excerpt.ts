/**
 * A document excerpt around a hit, with the matched character spans relative to the excerpt,
 * for the report's side-by-side examples. Kept small: these travel in completion markers.
 */

export interface Excerpt {
  text: string;
  /** Matched spans [start, end) within `text`, ordered, not overlapping. */
  spans: Array<[number, number]>;
  /** Text was cut before / after the excerpt. */
  before: boolean;
  after: boolean;
}

/** `spans` are character spans in `doc`, ordered; the excerpt starts a little before the first. */
export function excerptAround(doc: string, spans: Array<[number, number]>, maxChars: number, lead = 160): Excerpt {
  const first = spans[0] ?? [0, 0];
  let from = Math.max(0, first[0] - lead);
  // do not start inside a surrogate pair
  if (from > 0 && isLowSurrogate(doc.charCodeAt(from))) from--;
  let to = Math.min(doc.length, from + maxChars);
  if (to < doc.length && isLowSurrogate(doc.charCodeAt(to))) to++;
  const out: Array<[number, number]> = [];
  for (const [s, e] of spans) {
    if (s >= to) break;
    const a = Math.max(s, from) - from;
    const b = Math.min(e, to) - from;
    if (b > a) out.push([a, b]);
  }
  return { text: doc.slice(from, to), spans: out, before: from > 0, after: to < doc.length };
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
