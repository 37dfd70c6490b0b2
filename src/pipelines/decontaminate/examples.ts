/** Per-shard hit examples → the report's side-by-side examples (first few per benchmark). */
import type { ContaminationExample } from "../../report/contamination-section.js";
import { itemSpans } from "./highlight.js";
import type { HitExample } from "./shard.js";
import type { ItemRow } from "./item-rows.js";

/** Examples shown per benchmark in a report. */
export const EXAMPLES_SHOWN = 4;

/** Examples in the given (shard) order, at most `perBench` per benchmark; `bench` maps an item to its benchmark number. */
export function pickExamples(all: HitExample[], bench: (item: number) => number, perBench = EXAMPLES_SHOWN): HitExample[] {
  const count = new Map<number, number>();
  const out: HitExample[] = [];
  for (const e of all) {
    const b = bench(e.item);
    if ((count.get(b) ?? 0) >= perBench) continue;
    count.set(b, (count.get(b) ?? 0) + 1);
    out.push(e);
  }
  return out;
}

export function reportExamples(picked: HitExample[], rows: Map<number, ItemRow>, names: string[], n: number): ContaminationExample[] {
  const out: ContaminationExample[] = [];
  for (const e of picked) {
    const row = rows.get(e.item);
    if (!row) continue;
    const docSpanTexts = e.spans.map(([a, b]) => e.text.slice(a, b));
    out.push({
      benchmark: names[row.b] ?? `#${row.b}`,
      docId: e.id,
      shard: e.shard,
      line: e.line,
      ngrams: e.ngrams,
      whole: e.whole,
      doc: { text: e.text, spans: e.spans, before: e.before, after: e.after },
      item: { index: row.i, id: row.id, text: row.text, spans: itemSpans(row.text, docSpanTexts, n, e.whole) },
    });
  }
  return out;
}
