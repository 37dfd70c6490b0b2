/**
 * The item side of a side-by-side example: which characters of the benchmark item are the
 * overlap. The matched document spans are indexed as tiny "items" with the same n and the item
 * text is matched against them, so the highlighted item words are exactly the n-grams the two
 * share under the tokenisation rule (a short item matched whole is highlighted whole).
 */
import { buildContamIndex } from "../../models/contam/build.js";
import { Matcher } from "../../models/contam/match.js";
import { tokenize, WordBuffer } from "../../models/contam/words.js";

export function itemSpans(itemText: string, docSpanTexts: string[], n: number, whole: boolean): Array<[number, number]> {
  if (whole) {
    const buf = new WordBuffer();
    const w = tokenize(itemText, buf);
    return w ? [[buf.start[0]!, buf.end[w - 1]!]] : [];
  }
  if (docSpanTexts.length === 0) return [];
  const { index } = buildContamIndex({ count: docSpanTexts.length, forEach: (fn) => docSpanTexts.forEach((t) => fn(t, 0)) }, { n, shared: false });
  const m = new Matcher(index);
  if (m.match(itemText) === 0) return [];
  const ranges: Array<[number, number]> = [];
  for (const h of m.hits()) if (!h.whole) for (const [a, b] of h.words) ranges.push([a, b]);
  ranges.sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of ranges) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out.map(([a, b]) => m.charSpan(a, b));
}
