/**
 * The `decontaminate` report: what was checked, how much of the corpus overlaps which
 * benchmark, side-by-side examples with the overlap highlighted (contamination-section.ts), the
 * index, throughput, per-shard counts and rejected input. Self-contained, no script.
 */
import { html } from "./escape.js";
import { kpis, renderPage, table, type Section } from "./page.js";
import { contaminationSection, type ContaminationData } from "./contamination-section.js";

export interface DecontaminateReportData {
  createdAt: string;
  command?: string;
  contamination: ContaminationData;
  funnel: { read: number; clean: number; contaminated: number; rejected: number };
  index: { items: number; benchmarks: number; distinct: number; short: number; empty: number; bytes: number; seconds: number; reused: boolean };
  throughput: Array<{ stage: string; seconds: number; bytes?: number; docs?: number; workers?: number }>;
  rejected: { total: number; byReason: Record<string, number>; examples: Array<{ file: string; line: number; reason: string }> };
  shards: Array<{ shard: string; read: number; clean: number; contaminated: number; rejected: number }>;
}

const MAX_ROWS = 200;

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function renderContaminationReport(d: DecontaminateReportData): string {
  const f = d.funnel;
  const sections: Section[] = [
    {
      title: "Summary",
      body: html`${kpis([
        { label: "documents read", value: f.read.toLocaleString("en-US") },
        { label: "clean", value: f.clean.toLocaleString("en-US") },
        { label: "contaminated", value: f.contaminated.toLocaleString("en-US") },
        { label: "bad input lines", value: f.rejected.toLocaleString("en-US") },
      ])}<p class="intro">read = clean + contaminated + bad input: ${f.read} = ${f.clean} + ${f.contaminated} + ${f.rejected}${f.read === f.clean + f.contaminated + f.rejected ? " ✓" : " (does not reconcile)"}.
Each input record is in exactly one of <code>clean/</code> and <code>contaminated/</code>, in its input's format and relative path; every (document, item) overlap is a row of <code>contamination.parquet</code>.</p>
${d.command ? html`<p class="intro">command: <code>${d.command}</code></p>` : ""}`,
    },
    contaminationSection(d.contamination),
    {
      title: "Index",
      intro: "Every n-gram of every item, as 64-bit keys in one open-addressing hash table held in memory shared by all threads of a process.",
      body: table(
        ["benchmarks", "items", "distinct n-grams", "short items (matched whole)", "empty items", "index memory", "built in"],
        [[d.index.benchmarks, d.index.items, d.index.distinct, d.index.short, d.index.empty, mb(d.index.bytes), d.index.reused ? "reused from an earlier run" : `${d.index.seconds.toFixed(2)} s`]],
        [true, true, true, true, true, true, false],
      ),
    },
    {
      title: "Throughput",
      body: table(
        ["stage", "seconds", "documents", "MB/s", "workers"],
        d.throughput.map((t) => [t.stage, t.seconds.toFixed(2), t.docs ?? "", t.bytes && t.seconds > 0 ? (t.bytes / 1e6 / t.seconds).toPrecision(3) : "", t.workers ?? ""]),
        [false, true, true, true, true],
      ),
    },
  ];
  if (d.rejected.total > 0)
    sections.push({
      title: "Rejected input",
      intro: "Bad input lines are counted, never silently dropped; they are in neither output.",
      body: html`${table(["reason", "lines"], Object.entries(d.rejected.byReason), [false, true])}${table(["file", "line", "reason"], d.rejected.examples.map((e) => [e.file, e.line, e.reason]), [false, true, false])}`,
    });
  const shown = d.shards.slice(0, MAX_ROWS);
  sections.push({
    title: "Shards",
    body: html`${table(["shard", "read", "clean", "contaminated", "rejected"], shown.map((s) => [s.shard, s.read, s.clean, s.contaminated, s.rejected]), [false, true, true, true, true])}${d.shards.length > MAX_ROWS ? html`<p>… and ${d.shards.length - MAX_ROWS} more shards (all in stats.json).</p>` : ""}`,
  });
  return renderPage({ title: "datatailor decontaminate", subtitle: `${d.createdAt} · n = ${d.contamination.n}`, sections });
}
