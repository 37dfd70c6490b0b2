/**
 * The `select` report: one self-contained HTML file (inline SVG charts, no script, no network)
 * that explains a selection run — how much was kept and why, where the threshold fell, which
 * target benchmarks pulled documents in (BETR Table 10), what sits either side of the
 * threshold, how much closer the kept set is to the targets (DSIR's KL reduction), how fast
 * each stage ran, and which input lines were rejected. Every corpus string goes through the
 * escaping `html` tag, so a document containing `<script>` shows as text and never runs.
 */
import { selectContaminationSection } from "./contamination-section.js";
import { html, raw, type RawHtml } from "./escape.js";
import { chart, kpis, renderPage, table, type Section } from "./page.js";
import { benchmarkSpec, funnelSpec, histogramSpec, keepSpec, klSpec, sourceSpec, throughputSpec } from "./select-charts.js";
import { fmtFlops, fmtInt, fmtNum, fmtPct, fmtRate, fmtSeconds, ratio } from "./select-format.js";

export interface ReportDoc {
  id: string;
  shard: string;
  score: number;
  /** Truncated by the caller to ~600 characters. */
  text: string;
  benchmark?: string;
}

export interface SelectReportData {
  method: "betr" | "dsir" | "classifier" | "perplexity" | "moore-lewis";
  createdAt: string;
  command?: string;
  seed: number;
  keep: {
    /** Fraction 0..1. */
    requested: number;
    by: "tokens" | "docs";
    source: "keep" | "compute" | "threshold" | "percentile";
    compute?: { flops: number; pool: string; formula: string; percent: number; clamped: boolean };
    threshold: number;
    achievedTokenFraction: number;
    achievedDocFraction: number;
  };
  funnel: { read: number; rejected: number; scored: number; kept: number; dropped: number; tokensRead: number; tokensKept: number };
  /** Classifier-score histogram over all scored docs: edges.length === counts.length + 1. */
  histogram: { edges: number[]; counts: number[] };
  /** Which benchmark's example was the best match of each kept doc (BETR Table 10). */
  benchmarks?: Array<{ name: string; targets: number; keptDocs: number; share: number }>;
  nearThreshold: { above: ReportDoc[]; below: ReportDoc[] };
  kl?: { rawKL: number; selectedKL: number; reduction: number; perBenchmark?: Array<{ name: string; rawKL: number; selectedKL: number }> };
  throughput: Array<{ stage: string; docs: number; seconds: number; workers?: number }>;
  rejected: { total: number; byReason: Record<string, number>; examples: Array<{ file: string; line: number; reason: string }> };
  shards: Array<{ shard: string; read: number; kept: number; dropped: number; rejected: number }>;
  /** Embedder, sample sizes, classifier settings, etc. */
  details?: Record<string, string | number>;
  /** Shown in a box at the top: keep rate off the request, selection no closer than random, ... */
  warnings?: string[];
  contamination?: SelectContaminationReport;
  /** Where the kept documents came from: per shard, and per value of the --group-by field. */
  sources?: { shards: SourceRow[]; groupBy?: string; groups?: SourceRow[] };
  /** Documents DSIR masked (shorter than --min-tokens). */
  masked?: number;
}

export interface SourceRow {
  name: string;
  /** Scored documents of this source. */
  read: number;
  kept: number;
}

/** Contamination of the kept documents (decontaminate/select-hook.ts), or why nothing was checked. */
export type SelectContaminationReport = Parameters<typeof selectContaminationSection>[0];

const METHOD_NAMES: Record<SelectReportData["method"], string> = {
  betr: "BETR (benchmark-targeted ranking + classifier)",
  dsir: "DSIR (hashed n-gram importance resampling)",
  classifier: "fastText classifier filter",
  perplexity: "CCNet perplexity filter (n-gram language model)",
  "moore-lewis": "Moore–Lewis cross-entropy difference (target vs corpus n-gram models)",
};

/** Rows shown before a table is cut; the rest is summarised in one line. */
const MAX_SHARD_ROWS = 200;
const MAX_REJECT_ROWS = 50;

const EXTRA_STYLE = raw(`<style>
.docs { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.docs h3 { font-size: 14px; margin: 0 0 6px; }
.docs h3.kept { color: #2a7f62; } .docs h3.dropped { color: #6b7784; }
.card { border: 1px solid #e3e3e3; border-radius: 6px; padding: 6px 8px; margin: 0 0 8px; }
.card .meta { font-size: 12px; color: #555; margin-bottom: 4px; display: flex; gap: 10px; flex-wrap: wrap; }
.card .meta b { color: #1d1d1f; }
.note { color: #666; font-size: 12px; margin: 6px 0 0; }
.ok { background: #eaf6f0; border-left: 4px solid #2a7f62; padding: 8px 12px; }
.kv td:first-child { color: #555; width: 34%; }
@media (max-width: 800px) { .docs { grid-template-columns: 1fr; } }
</style>`);

export async function renderSelectReport(data: SelectReportData): Promise<string> {
  const sections: Section[] = [
    ...(data.warnings?.length ? [warningSection(data.warnings)] : []),
    summarySection(data),
    await keepSection(data),
    await histogramSection(data),
  ];
  if (data.sources) sections.push(await sourceSection(data.sources, data.funnel));
  if (data.benchmarks && data.benchmarks.length > 0) sections.push(await benchmarkSection(data.benchmarks, data.funnel.kept));
  sections.push(nearThresholdSection(data));
  if (data.kl) sections.push(await klSection(data.kl));
  if (data.contamination) sections.push(selectContaminationSection(data.contamination));
  if (data.throughput.length > 0) sections.push(await throughputSection(data.throughput));
  sections.push(rejectedSection(data));
  sections.push(shardSection(data.shards));
  sections.push(detailsSection(data));
  return renderPage({
    title: `datatailor select — ${data.method.toUpperCase()}`,
    subtitle: `${METHOD_NAMES[data.method]} · ${data.createdAt} · seed ${data.seed}`,
    sections,
    generatedBy: `datatailor select report${data.command ? ` · ${data.command}` : ""}`,
  });
}

function keepDecision(k: SelectReportData["keep"]): string {
  const unit = k.by === "tokens" ? "tokens" : "documents";
  switch (k.source) {
    case "compute": {
      const c = k.compute;
      if (!c) return `Keep rate chosen from a compute budget: ${fmtPct(k.requested)} of ${unit}.`;
      return (
        `--compute ${fmtFlops(c.flops)} FLOPs on the ${c.pool} pool: BETR's optimal filter rate ${c.formula} = ` +
        `${fmtNum(c.percent)}% of ${unit}${c.clamped ? " (the law exceeds 100% at this budget, so it was clamped to keep everything)" : ""}.`
      );
    }
    case "keep":
      return `--keep ${fmtNum(k.requested)}: keep ${fmtPct(k.requested)} of the ${unit}.`;
    case "threshold":
      return `Absolute score threshold ${fmtNum(k.threshold)}: every document scoring at or above it is kept.`;
    case "percentile":
      return `Percentile threshold: the top ${fmtPct(k.requested)} of ${unit} by score.`;
  }
}

function summarySection(d: SelectReportData): Section {
  const f = d.funnel;
  const items: Array<{ label: string; value: string }> = [
    { label: "documents read", value: fmtInt(f.read) },
    { label: "documents kept", value: fmtInt(f.kept) },
    { label: "tokens kept", value: fmtPct(d.keep.achievedTokenFraction) },
    { label: "documents kept (share)", value: fmtPct(d.keep.achievedDocFraction) },
    { label: "score threshold", value: fmtNum(d.keep.threshold) },
  ];
  if (d.kl) items.push({ label: "KL reduction (nats)", value: fmtNum(d.kl.reduction, 3) });
  if (d.masked) items.push({ label: "masked (shorter than --min-tokens)", value: fmtInt(d.masked) });
  items.push({ label: "rejected input lines", value: fmtInt(d.rejected.total) });
  const balance = f.read - f.kept - f.dropped - f.rejected;
  const reconciled =
    balance === 0
      ? html`<p class="ok">Counts reconcile: read ${fmtInt(f.read)} = kept ${fmtInt(f.kept)} + dropped ${fmtInt(f.dropped)} + rejected ${fmtInt(f.rejected)}.</p>`
      : html`<p class="warn">Counts do not reconcile: read ${fmtInt(f.read)} ≠ kept ${fmtInt(f.kept)} + dropped ${fmtInt(f.dropped)} + rejected ${fmtInt(f.rejected)} (off by ${fmtInt(balance)}).</p>`;
  return {
    title: "Summary",
    body: html`${EXTRA_STYLE}${kpis(items)}<p>${keepDecision(d.keep)} Requested ${fmtPct(d.keep.requested)} of ${d.keep.by === "tokens" ? "tokens" : "documents"};
achieved ${fmtPct(d.keep.achievedTokenFraction)} of tokens (${fmtInt(f.tokensKept)} of ${fmtInt(f.tokensRead)}) in ${fmtPct(d.keep.achievedDocFraction)} of documents.</p>${reconciled}`,
  };
}

async function keepSection(d: SelectReportData): Promise<Section> {
  return {
    title: "Keep rate",
    intro:
      "Every input line is read; bad lines are rejected and counted, the rest are scored, and documents at or above the threshold are kept. " +
      "The bar below compares the kept share of tokens and documents with the requested rate. The threshold is placed where the whole corpus reaches that rate (every document is scored, in the sample or by a count pass), so the kept share is within ±3% of the request unless a warning above says why not.",
    body: html`${await chart(funnelSpec(d.funnel), "documents at each step")}${await chart(
      keepSpec({ tokens: d.keep.achievedTokenFraction, docs: d.keep.achievedDocFraction, requested: d.keep.requested, by: d.keep.by }),
      "kept share of tokens and documents",
    )}`,
  };
}

async function histogramSection(d: SelectReportData): Promise<Section> {
  const h = d.histogram;
  const valid = h.counts.length > 0 && h.edges.length === h.counts.length + 1;
  return {
    title: "Score distribution",
    intro: `Scores of all ${fmtInt(d.funnel.scored)} scored documents; the dashed line is the threshold (${fmtNum(d.keep.threshold)}).`,
    body: valid ? await chart(histogramSpec(h, d.keep.threshold), "histogram of scores with the threshold") : html`<p class="note">No scores were recorded.</p>`,
  };
}

async function benchmarkSection(rows: NonNullable<SelectReportData["benchmarks"]>, kept: number): Promise<Section> {
  const sorted = [...rows].sort((a, b) => b.share - a.share || a.name.localeCompare(b.name));
  return {
    title: "Which benchmarks pulled in the kept documents",
    intro:
      "Every kept document is attributed to the benchmark of its nearest target example (BETR, Table 10); the scores table names that benchmark and example for each document. " +
      "A benchmark with a large share dominates the selection; one with almost none is barely represented in the corpus. Kept documents that share no word with any target example are not attributed.",
    body: html`${await chart(benchmarkSpec(sorted), "share of kept documents by benchmark")}${table(
      ["benchmark", "target examples", "kept documents", "share of kept"],
      sorted.map((r) => [r.name, fmtInt(r.targets), fmtInt(r.keptDocs), fmtPct(r.share)]),
      [false, true, true, true],
    )}<p class="note">Counts ${fmtInt(rows.reduce((a, r) => a + r.keptDocs, 0))} attributed of ${fmtInt(kept)} kept documents.</p>`,
  };
}

function warningSection(warnings: string[]): Section {
  return {
    title: "Warnings",
    body: html`<div class="warn"><ul>${warnings.map((w) => html`<li>${w}</li>`)}</ul></div>`,
  };
}

/** Kept share per source, largest sources first, with the corpus-wide share as the reference. */
async function sourceSection(s: NonNullable<SelectReportData["sources"]>, f: SelectReportData["funnel"]): Promise<Section> {
  const overall = ratio(f.kept, f.kept + f.dropped);
  const rows = (list: SourceRow[]) =>
    [...list]
      .sort((a, b) => b.kept - a.kept || b.read - a.read || a.name.localeCompare(b.name))
      .slice(0, MAX_SHARD_ROWS)
      .map((r) => [r.name, fmtInt(r.read), fmtInt(r.kept), fmtPct(ratio(r.kept, r.read)), fmtPct(ratio(r.kept, f.kept)), `${(ratio(ratio(r.kept, r.read), overall) || 0).toFixed(2)}x`]);
  const head = ["source", "scored docs", "kept docs", "kept share of source", "share of all kept", "vs corpus rate"];
  const num = [false, true, true, true, true, true];
  const groups = s.groups && s.groupBy
    ? html`<h3>By ${s.groupBy}</h3>${await chart(sourceSpec(s.groups, overall), `kept share by ${s.groupBy}`)}${table(head, rows(s.groups), num)}`
    : html`<p class="note">Add <code>--group-by FIELD</code> to break the kept share down by a metadata field (a source, domain or language tag).</p>`;
  return {
    title: "Where the kept documents came from",
    intro: `Overall ${fmtPct(overall)} of scored documents were kept; a source far above that rate is what the targets pulled in.`,
    body: html`${groups}<h3>By shard</h3>${table(head, rows(s.shards), num)}`,
  };
}

function docCards(docs: ReportDoc[]): RawHtml {
  if (docs.length === 0) return html`<p class="note">None.</p>`;
  return html`${docs.map(
    (d) => html`<div class="card"><div class="meta"><span>score <b>${fmtNum(d.score, 5)}</b></span>${
      d.benchmark ? html`<span>closest benchmark <b>${d.benchmark}</b></span>` : ""
    }<span>${d.id}</span><span>${d.shard}</span></div><div class="doc">${d.text}</div></div>`,
  )}`;
}

function nearThresholdSection(d: SelectReportData): Section {
  return {
    title: "Documents either side of the threshold",
    intro: "The lowest-scoring kept documents and the highest-scoring dropped ones: read them to judge whether the cut falls in a sensible place.",
    body: html`<div class="docs"><div><h3 class="kept">Just above — kept</h3>${docCards(d.nearThreshold.above)}</div><div><h3 class="dropped">Just below — dropped</h3>${docCards(d.nearThreshold.below)}</div></div>`,
  };
}

async function klSection(kl: NonNullable<SelectReportData["kl"]>): Promise<Section> {
  const rows = [{ name: "all targets", rawKL: kl.rawKL, selectedKL: kl.selectedKL }, ...(kl.perBenchmark ?? [])];
  return {
    title: "Closer to the targets: KL reduction",
    intro:
      "DSIR's measure (Xie et al. 2023): KL divergence from the target examples' hashed n-gram distribution to the raw corpus and to the selected set. " +
      "The reduction (raw − selected) is positive when selection moved the data toward the targets.",
    body: html`${kpis([
      { label: "KL(target ‖ raw)", value: fmtNum(kl.rawKL, 4) },
      { label: "KL(target ‖ selected)", value: fmtNum(kl.selectedKL, 4) },
      { label: "reduction", value: fmtNum(kl.reduction, 4) },
    ])}${await chart(klSpec(rows), "KL divergence to the targets before and after selection")}`,
  };
}

async function throughputSection(rows: SelectReportData["throughput"]): Promise<Section> {
  return {
    title: "Throughput",
    intro: "Where the time went: wall-clock seconds of each stage, with its documents per second.",
    body: html`${await chart(throughputSpec(rows), "seconds and documents per second by stage")}${table(
      ["stage", "documents", "seconds", "docs/s", "workers", "docs/s per worker"],
      rows.map((r) => [
        r.stage,
        fmtInt(r.docs),
        fmtSeconds(r.seconds),
        fmtRate(r.docs, r.seconds),
        r.workers ?? "–",
        r.workers ? fmtRate(r.docs / r.workers, r.seconds) : "–",
      ]),
      [false, true, true, true, true, true],
    )}`,
  };
}

function rejectedSection(d: SelectReportData): Section {
  const r = d.rejected;
  if (r.total === 0) return { title: "Rejected input", body: html`<p class="ok">No input lines were rejected.</p>` };
  const reasons = Object.entries(r.byReason).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = r.examples.slice(0, MAX_REJECT_ROWS);
  return {
    title: "Rejected input",
    intro: "Lines that could not be used (unparseable, missing text, truncated stream…). They are counted, never silently dropped; --strict makes the first one fatal.",
    body: html`${table(
      ["reason", "lines", "share of read"],
      reasons.map(([reason, n]) => [reason, fmtInt(n), fmtPct(ratio(n, d.funnel.read))]),
      [false, true, true],
    )}<h3>Examples</h3>${table(
      ["file", "line", "reason"],
      shown.map((e) => [e.file, fmtInt(e.line), e.reason]),
      [false, true, false],
    )}${r.total > shown.length ? html`<p class="note">Showing ${fmtInt(shown.length)} of ${fmtInt(r.total)} rejected lines.</p>` : ""}`,
  };
}

function shardSection(shards: SelectReportData["shards"]): Section {
  const shown = shards.slice(0, MAX_SHARD_ROWS);
  const tot = shards.reduce(
    (a, s) => ({ read: a.read + s.read, kept: a.kept + s.kept, dropped: a.dropped + s.dropped, rejected: a.rejected + s.rejected }),
    { read: 0, kept: 0, dropped: 0, rejected: 0 },
  );
  const row = (name: string | RawHtml, s: { read: number; kept: number; dropped: number; rejected: number }) => [
    name,
    fmtInt(s.read),
    fmtInt(s.kept),
    fmtInt(s.dropped),
    fmtInt(s.rejected),
    fmtPct(ratio(s.kept, s.read)),
    s.read === s.kept + s.dropped + s.rejected ? "✓" : "✗",
  ];
  return {
    title: "Per shard",
    intro: "Counts per input shard; each row must reconcile (read = kept + dropped + rejected).",
    body: html`${table(
      ["shard", "read", "kept", "dropped", "rejected", "kept %", "reconciles"],
      [...shown.map((s) => row(s.shard, s)), row(html`<b>total</b>`, tot)],
      [false, true, true, true, true, true, false],
    )}${shards.length > shown.length ? html`<p class="note">Showing ${fmtInt(shown.length)} of ${fmtInt(shards.length)} shards; totals cover all of them.</p>` : ""}`,
  };
}

function detailsSection(d: SelectReportData): Section {
  const rows: Array<[string, string | number]> = [
    ["method", METHOD_NAMES[d.method]],
    ["created", d.createdAt],
    ["seed", d.seed],
    ["keep by", d.keep.by],
    ["keep source", d.keep.source],
  ];
  if (d.command) rows.push(["command", d.command]);
  for (const [k, v] of Object.entries(d.details ?? {})) rows.push([k, typeof v === "number" ? (Number.isInteger(v) ? fmtInt(v) : fmtNum(v, 6)) : v]);
  return { title: "Run details", body: html`<div class="kv">${table(["setting", "value"], rows)}</div>` };
}
