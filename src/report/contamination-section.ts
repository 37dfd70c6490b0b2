/**
 * The contamination section shared by the `decontaminate` report and the `select` report: per
 * benchmark, items hit and documents hit; then examples side by side — the document excerpt and
 * the benchmark item, each with the overlap highlighted. All corpus and benchmark text goes
 * through the escaping `html` tag.
 */
import { html, type RawHtml } from "./escape.js";
import { kpis, table, type Section } from "./page.js";

export interface ContaminationExample {
  benchmark: string;
  docId: string;
  shard: string;
  line: number;
  /** Distinct shared n-grams (1 for a short item matched whole). */
  ngrams: number;
  whole: boolean;
  doc: { text: string; spans: Array<[number, number]>; before: boolean; after: boolean };
  item: { index: number; id: string | null; text: string; spans: Array<[number, number]> };
}

export interface ContaminationData {
  n: number;
  /** What was checked, in words ("kept documents against ..."). */
  checked: string;
  docsChecked: number;
  docsHit: number;
  /** Benchmarks looked at, even those without hits. */
  benchmarks: Array<{ name: string; items: number; itemsHit: number; docsHit: number }>;
  examples: ContaminationExample[];
  /** Items shorter than n words (matched as a whole). */
  shortItems?: number;
}

const MARK_STYLE = "background:#ffe08a;padding:0 1px;border-radius:2px";

/** `text` with `spans` wrapped in <mark>; every character escaped. */
export function highlight(text: string, spans: Array<[number, number]>): RawHtml {
  const parts: Array<string | RawHtml> = [];
  let at = 0;
  for (const [s, e] of spans) {
    if (s < at || e <= s || e > text.length) continue;
    parts.push(text.slice(at, s));
    parts.push(html`<mark style="${MARK_STYLE}">${text.slice(s, e)}</mark>`);
    at = e;
  }
  parts.push(text.slice(at));
  return html`${parts}`;
}

function pct(a: number, b: number): string {
  return b > 0 ? `${((100 * a) / b).toFixed(a && (100 * a) / b < 0.1 ? 3 : 1)}%` : "-";
}

function exampleCard(e: ContaminationExample): RawHtml {
  const itemName = e.item.id !== null ? `${e.benchmark} item ${e.item.id} (row ${e.item.index})` : `${e.benchmark} row ${e.item.index}`;
  const how = e.whole ? "whole item (shorter than n words) found" : `${e.ngrams} shared n-gram${e.ngrams === 1 ? "" : "s"}`;
  return html`<div style="border:1px solid #e3e3e3;border-radius:6px;padding:8px 10px;margin:10px 0">
<div style="font-size:12px;color:#555;margin-bottom:4px">document <code>${e.docId}</code> (${e.shard}, line ${e.line}) · ${itemName} · ${how}</div>
<div style="display:flex;gap:10px;flex-wrap:wrap"><div style="flex:1 1 380px;min-width:0"><div style="font-size:12px;font-weight:600">document excerpt</div><div class="doc" style="max-height:220px">${e.doc.before ? "… " : ""}${highlight(e.doc.text, e.doc.spans)}${e.doc.after ? " …" : ""}</div></div>
<div style="flex:1 1 380px;min-width:0"><div style="font-size:12px;font-weight:600">benchmark item</div><div class="doc" style="max-height:220px">${highlight(e.item.text, e.item.spans)}</div></div></div></div>`;
}

/** The section body: KPIs, the per-benchmark table and the examples. */
export function contaminationBody(d: ContaminationData): RawHtml {
  const rows = d.benchmarks.map((b) => [b.name, b.items, b.itemsHit, pct(b.itemsHit, b.items), b.docsHit]);
  const byBench = new Map<string, ContaminationExample[]>();
  for (const e of d.examples) byBench.set(e.benchmark, [...(byBench.get(e.benchmark) ?? []), e]);
  return html`${kpis([
    { label: "documents checked", value: d.docsChecked.toLocaleString("en-US") },
    { label: "documents with an overlap", value: `${d.docsHit.toLocaleString("en-US")} (${pct(d.docsHit, d.docsChecked)})` },
    { label: "benchmark items hit", value: d.benchmarks.reduce((a, b) => a + b.itemsHit, 0).toLocaleString("en-US") },
    { label: "n-gram length", value: d.n },
  ])}
<p class="intro">${d.checked}. A document overlaps an item when they share a ${d.n}-word sequence after normalisation (lowercase, punctuation deleted, diacritics dropped, digit runs as 0)${d.shortItems ? `; ${d.shortItems} items shorter than ${d.n} words count when their whole word sequence occurs` : ""}.</p>
${table(["benchmark", "items", "items hit", "share hit", "documents hit"], rows, [false, true, true, true, true])}
${d.examples.length ? html`<h3 style="font-size:15px;margin:16px 0 4px">Examples, overlap highlighted</h3>${[...byBench].map(([b, ex]) => html`<h4 style="font-size:14px;margin:12px 0 0">${b}</h4>${ex.map(exampleCard)}`)}` : html`<p>No document shares an n-gram with any item.</p>`}`;
}

export function contaminationSection(d: ContaminationData, title = "Benchmark contamination"): Section {
  return { title, body: contaminationBody(d) };
}

/**
 * The select report's section: the contamination of the kept documents, or the one line saying
 * why nothing was checked (no evaluation split beside the targets).
 */
export function selectContaminationSection(c: { note: string; dropped: number; data?: ContaminationData }): Section {
  if (!c.data) return { title: "Benchmark contamination of the kept documents", body: html`<p class="warn">${c.note}.</p>` };
  const dropped = c.dropped ? html`<p class="warn">${c.dropped.toLocaleString("en-US")} kept documents matched and were dropped from the selection (counted as <code>dropped_contaminated</code> in stats.json).</p>` : "";
  return { title: "Benchmark contamination of the kept documents", body: html`${dropped}${contaminationBody(c.data)}` };
}
