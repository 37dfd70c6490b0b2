/**
 * Contamination checks inside another pipeline (select checks its kept documents): a
 * `DocChecker` wraps the shared index and a matcher, answers per document which items it
 * overlaps, and gathers per-shard counts, hit rows and a few report examples into a JSON
 * summary that travels in the shard's completion marker; `mergeChecks` combines the shards'
 * summaries into the report section's data (contamination-section.ts).
 */
import path from "node:path";
import { Matcher } from "../../models/contam/match.js";
import type { ContamIndex } from "../../models/contam/index-image.js";
import type { ContaminationData } from "../../report/contamination-section.js";
import { hitExample, type HitExample } from "./shard.js";
import { EXAMPLES_SHOWN, pickExamples, reportExamples } from "./examples.js";
import { ITEMS_FILE, type IndexMeta } from "./index-file.js";
import { readItemRows } from "./item-rows.js";

export interface DocHit {
  item: number;
  /** Distinct shared n-grams (1 for a whole short item). */
  ngrams: number;
  whole: boolean;
}

export interface CheckedDoc {
  id: string;
  shard: string;
  line: number;
  text: string;
}

/** What one shard's checks add up to (JSON). */
export interface CheckSummary {
  checked: number;
  hitDocs: number;
  /** [item, ngrams, whole ? 1 : 0, line] per (document, item) hit, in document order. */
  rows: Array<[number, number, number, number]>;
  examples: HitExample[];
}

/** Per-document hits of `docs` against `index` (an empty list for a clean document). */
export function docHits(index: ContamIndex, docs: Iterable<{ text: string }>): DocHit[][] {
  const m = new Matcher(index);
  const out: DocHit[][] = [];
  for (const d of docs) out.push(m.match(d.text) === 0 ? [] : m.hits().map((h) => ({ item: h.item, ngrams: h.ngrams, whole: h.whole })));
  return out;
}

export class DocChecker {
  private readonly m: Matcher;
  private readonly perBench = new Map<number, number>();
  readonly summary: CheckSummary = { checked: 0, hitDocs: 0, rows: [], examples: [] };

  constructor(
    readonly index: ContamIndex,
    private readonly opts: { examples?: number; excerptChars?: number } = {},
  ) {
    this.m = new Matcher(index);
  }

  /** Checks one document; returns its hits (empty when clean) and records them. */
  check(doc: CheckedDoc): DocHit[] {
    this.summary.checked++;
    if (this.m.match(doc.text) === 0) return [];
    this.summary.hitDocs++;
    const hits = this.m.hits();
    for (const h of hits) this.summary.rows.push([h.item, h.ngrams, h.whole ? 1 : 0, doc.line]);
    const max = this.opts.examples ?? EXAMPLES_SHOWN;
    const shown = new Set<number>();
    for (const h of [...hits].sort((x, y) => y.ngrams - x.ngrams || x.item - y.item)) {
      const b = this.index.itemBench[h.item]!;
      if (shown.has(b) || (this.perBench.get(b) ?? 0) >= max) continue;
      shown.add(b);
      this.perBench.set(b, (this.perBench.get(b) ?? 0) + 1);
      this.summary.examples.push(hitExample(this.m, doc.text, h, { id: doc.id, shard: doc.shard, line: doc.line }, this.opts.excerptChars ?? 700));
    }
    return hits.map((h) => ({ item: h.item, ngrams: h.ngrams, whole: h.whole }));
  }
}

/**
 * The report section's data from the shards' summaries (in shard order). `indexDir` is the
 * output directory the index files were written under (prepareIndex's `outDir`).
 */
export async function mergeChecks(summaries: Array<{ shard: string; summary: CheckSummary }>, meta: IndexMeta, indexDir: string, checked: string): Promise<ContaminationData> {
  const names = meta.benchmarks.map((b) => b.name);
  const items = new Set<number>();
  for (const s of summaries) for (const r of s.summary.rows) items.add(r[0]);
  const all = summaries.flatMap((s) => s.summary.examples);
  for (const e of all) items.add(e.item);
  const rows = await readItemRows(path.join(indexDir, ITEMS_FILE), items);
  const benchOf = (item: number) => rows.get(item)?.b ?? -1;
  const itemsHit = names.map(() => new Set<number>());
  const docsHit = names.map(() => new Set<string>());
  let docsChecked = 0;
  let hitDocs = 0;
  for (const { shard, summary } of summaries) {
    docsChecked += summary.checked;
    hitDocs += summary.hitDocs;
    for (const [item, , , line] of summary.rows) {
      const b = benchOf(item);
      if (b < 0) continue;
      itemsHit[b]!.add(item);
      docsHit[b]!.add(`${shard}\n${line}`);
    }
  }
  return {
    n: meta.n,
    checked,
    docsChecked,
    docsHit: hitDocs,
    benchmarks: meta.benchmarks.map((b, i) => ({ name: b.name, items: b.items, itemsHit: itemsHit[i]!.size, docsHit: docsHit[i]!.size })),
    examples: reportExamples(pickExamples(all, benchOf), rows, names, meta.n),
    shortItems: meta.build.short,
  };
}
