/**
 * HTML report for `tune eval`: the generalisation matrix as a heat-map (rows model × shots,
 * columns test sets, in-domain ones marked), each model's in-domain gain over the base model
 * against its mean out-of-domain gain, and the paired bootstrap intervals. Built on page.ts
 * (self-contained, no script); names from files are escaped by html`` and by Vega's SVG writer.
 */
import { writeFileAtomic } from "../io/atomic.js";
import type { ChartSpec } from "./chart.js";
import { html, type RawHtml } from "./escape.js";
import { chart, kpis, renderPage, table, type Section } from "./page.js";
import { maxOf, minOf } from "../util/array.js";

// What the report reads of `tune eval`'s result, declared here (structurally) so that report/
// depends on nothing above it; pipelines/tune's EvalResult fits.

export interface TuneReportInput {
  task: string | null;
  kind: "generation" | "classification";
  metric: "rougeL" | "accuracy";
  template: string;
  limit: number;
  shots: number[];
  seconds: number;
  models: Array<{ name: string; id: string; methods: Record<string, string> }>;
  tests: Array<{ name: string; domain: "in" | "out" }>;
  /** Mean score of one model at one shot count on one test set, in points. */
  cells: Array<{ model: string; test: string; domain: "in" | "out"; shots: number; score: number }>;
  /** Paired bootstrap differences a − b, in points. */
  comparisons: Array<{ a: string; b: string; test: string; shots: number; diff: number; lo: number; hi: number; n: number; resamples: number }>;
  gains: Array<{ model: string; shots: number; base: string; inDomain: number; outOfDomain: number; outTests: number }>;
}

const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? "+" : ""}${x.toFixed(2)}` : "-");

/** Column label of a test set: in-domain ones carry a ★. */
export function testLabel(name: string, domain: "in" | "out"): string {
  return domain === "in" ? `★ ${name} (in)` : `${name} (out)`;
}

function heatmap(r: TuneReportInput): ChartSpec {
  const metric = r.metric === "rougeL" ? "ROUGE-L F" : "accuracy";
  const values = r.cells.map((c) => ({ row: `${c.model} · ${c.shots}-shot`, col: testLabel(c.test, c.domain), score: Number(c.score.toFixed(2)) }));
  const cols = r.tests.map((t) => testLabel(t.name, t.domain));
  const rows = r.models.flatMap((m) => r.shots.map((s) => `${m.name} · ${s}-shot`));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `${metric} (points) on the first ${r.limit} items of each test set; ★ = in-domain`,
    data: { values },
    width: { step: 96 },
    height: { step: 28 },
    encoding: {
      x: { field: "col", type: "nominal", sort: cols, title: null, axis: { labelAngle: -20, orient: "top" } },
      y: { field: "row", type: "nominal", sort: rows, title: null },
    },
    layer: [
      { mark: "rect", encoding: { color: { field: "score", type: "quantitative", title: metric, scale: { scheme: "blues" } } } },
      {
        mark: { type: "text", fontSize: 11 },
        encoding: {
          text: { field: "score", type: "quantitative", format: ".1f" },
          color: { condition: { test: `datum.score > ${midpoint(values.map((v) => v.score))}`, value: "white" }, value: "#1d1d1f" },
        },
      },
    ],
  } as ChartSpec;
}

function midpoint(xs: number[]): number {
  if (xs.length === 0) return 0;
  return (minOf(xs) + maxOf(xs)) / 2;
}

function gainChart(r: TuneReportInput): ChartSpec {
  const values = r.gains.filter((g) => Number.isFinite(g.inDomain) && Number.isFinite(g.outOfDomain)).map((g) => ({ label: `${g.model} · ${g.shots}-shot`, model: g.model, in: Number(g.inDomain.toFixed(2)), out: Number(g.outOfDomain.toFixed(2)) }));
  const all = values.flatMap((v) => [v.in, v.out, 0]);
  const lo = minOf(all) - 1;
  const hi = maxOf(all) + 1;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `Gain over ${r.gains[0]?.base ?? "base"} in points: in-domain vs mean out-of-domain (on the diagonal, the gain carries over)`,
    width: 420,
    height: 320,
    layer: [
      { data: { values: [{ x: lo, y: lo }, { x: hi, y: hi }] }, mark: { type: "line", color: "#999", strokeDash: [4, 4] }, encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } },
      { data: { values: [{ z: 0 }] }, mark: { type: "rule", color: "#ccc" }, encoding: { y: { field: "z", type: "quantitative" } } },
      { data: { values: [{ z: 0 }] }, mark: { type: "rule", color: "#ccc" }, encoding: { x: { field: "z", type: "quantitative" } } },
      {
        data: { values },
        mark: { type: "point", filled: true, size: 90 },
        encoding: {
          x: { field: "in", type: "quantitative", title: "in-domain gain (points)", scale: { domain: [lo, hi] } },
          y: { field: "out", type: "quantitative", title: "mean out-of-domain gain (points)", scale: { domain: [lo, hi] } },
          color: { field: "model", type: "nominal", title: "model" },
        },
      },
      { data: { values }, mark: { type: "text", dx: 8, align: "left", fontSize: 10 }, encoding: { x: { field: "in", type: "quantitative" }, y: { field: "out", type: "quantitative" }, text: { field: "label" } } },
    ],
  } as ChartSpec;
}

export async function buildTuneReport(r: TuneReportInput): Promise<string> {
  const metric = r.metric === "rougeL" ? "ROUGE-L F" : "accuracy";
  const sections: Section[] = [];
  sections.push({
    title: "Summary",
    body: kpis([
      { label: "task", value: r.task ?? "custom template" },
      { label: "metric", value: metric },
      { label: "models", value: r.models.length },
      { label: "test sets (in / out)", value: `${r.tests.filter((t) => t.domain === "in").length} / ${r.tests.filter((t) => t.domain === "out").length}` },
      { label: "items per test set", value: `≤ ${r.limit}` },
      { label: "seconds", value: r.seconds },
    ]),
  });
  sections.push({
    title: "Generalisation matrix",
    intro: `Each cell is the mean ${metric} of one model at one shot count on one test set, in points. Shots are the test set's own few-shot demos, the same for every item (Yang et al. 2024).`,
    body: await chart(heatmap(r), "heat-map of scores, rows model and shots, columns test sets"),
  });
  if (r.gains.length > 0) {
    const rows = r.gains.map((g) => [g.model, g.shots, signed(g.inDomain), signed(g.outOfDomain), g.outTests]);
    sections.push({
      title: "Does the gain survive out of domain?",
      intro: `Gain = score − ${r.gains[0].base}'s score at the same shot count. Points below the diagonal lose part of their in-domain gain outside the training distribution; below zero, fine-tuning hurt out of domain.`,
      body: html`${Number.isFinite(r.gains[0].inDomain) && r.gains.some((g) => Number.isFinite(g.outOfDomain)) ? await chart(gainChart(r), "in-domain gain against mean out-of-domain gain per model") : ""}${table(["model", "shots", "in-domain gain", "mean out-of-domain gain", "out-of-domain sets"], rows, [false, true, true, true, true])}`,
    });
  }
  if (r.comparisons.length > 0) {
    const rows: Array<Array<string | number | RawHtml>> = r.comparisons.map((c) => [`${c.a} − ${c.b}`, c.test, c.shots, signed(c.diff), `[${signed(c.lo)}, ${signed(c.hi)}]`, c.lo > 0 ? "better" : c.hi < 0 ? "worse" : "no clear difference", c.n]);
    sections.push({
      title: "Paired bootstrap 95% intervals",
      intro: `Differences in points; ${r.comparisons[0].resamples} resamples of the items, paired, seeded.`,
      body: table(["comparison", "test set", "shots", "difference", "95% interval", "verdict", "items"], rows, [false, false, true, true, true, false, true]),
    });
  }
  const methodRows = r.models.flatMap((m) => Object.entries(m.methods).map(([t, meth]) => [m.name, m.id, t, meth]));
  sections.push({
    title: "How answers were scored",
    intro:
      r.kind === "generation"
        ? "Greedy generation (temperature 0, at most 60 tokens, stop at a blank line), stripped, scored with ROUGE-L F as Google's rouge_score without stemming."
        : "loglik: the label with the highest ln p(label | prompt) from prompt log-probabilities; first-token: the paper's argmax over the labels' first tokens; generate: the label the greedy output starts with.",
    body: table(["model", "backend", "test set", "method"], methodRows),
  });
  return renderPage({ title: "datatailor tune eval", subtitle: `template: ${r.template.replace(/\n/g, "⏎")}`, sections });
}

export async function writeTuneReport(file: string, r: TuneReportInput): Promise<void> {
  await writeFileAtomic(file, await buildTuneReport(r));
}
