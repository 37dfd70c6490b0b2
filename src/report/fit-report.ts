/**
 * The `fit` report: parameters with intervals, the data with the fitted curve and its
 * confidence band (Chinchilla: the compute-optimal frontier), held-out points, residuals,
 * predictions and allocation. One self-contained HTML file (inline SVG, no script).
 * It reads only the types declared here; the fit pipeline hands them over.
 */
import { writeFileAtomic } from "../io/atomic.js";
import { html, type RawHtml } from "./escape.js";
import { chart, kpis, renderPage, table, type Section } from "./page.js";
import type { ChartSpec } from "./chart.js";

export interface FitPlotPoint {
  x: number;
  y: number;
  fitted: number;
  residual: number;
  heldOut: boolean;
  where: string;
  /** The point's name from --label. */
  label?: string;
}

export interface FitPlot {
  xLabel: string;
  yLabel: string;
  logX: boolean;
  points: FitPlotPoint[];
  /** Fitted curve and its confidence band (for Chinchilla: the compute-optimal frontier L*(C)). */
  curve: Array<{ x: number; y: number; lo?: number; hi?: number }>;
  curveLabel: string;
  /** --predict points on the x axis (Chinchilla: at their compute 6ND), with confidence intervals. */
  predictions: Array<{ x: number; y: number; lo?: number; hi?: number }>;
  /** Compute-optimal models at --compute (Chinchilla): loss at C, with N* and D*. */
  optimal: Array<{ x: number; y: number; N: number; D: number }>;
}

/** What the report needs of a fit's summary. */
export interface FitReportSummary {
  law: string;
  formula: string;
  params: Record<string, number>;
  ci: Record<string, [number, number]>;
  objective: number;
  n: number;
  level: number;
  huberDelta: number | null;
  residualSpace: "log" | "linear";
  columns: { x: string[]; y: string };
  starts: { tried: number; converged: number };
  bootstrap: { resamples: number; failed: number } | null;
  holdout: { k: number; points: Array<{ where: string; x: Record<string, number>; y: number; predicted: number; error: number }>; mae: number; rmse: number; mape: number } | null;
  predictions: Array<{ x: Record<string, number>; y: number; ci: [number, number] | null; pi: [number, number] | null }>;
  allocation: Array<{ compute: number; N: number; D: number; tokensPerParam: number; loss: number }>;
  warnings: string[];
}

export interface FitReportInput {
  summary: FitReportSummary;
  plot: FitPlot;
  /** The law's name ("chinchilla" draws the compute-optimal frontier). */
  lawName: string;
  /** Where the points came from (a file, or rows in memory). */
  source: string;
}

/** Log-axis tick labels as 1e18, not 1e+18; a plain number where the scale is linear. */
const LOG_TICKS = "replace(format(datum.value, '.0e'), 'e+', 'e')";
const MAX_NAMED_POINTS = 40;

function axis(p: FitPlot, title?: string) {
  return p.logX ? { title, labelExpr: LOG_TICKS } : { title };
}

function fmt(v: number | undefined | null): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return "–";
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : String(+v.toPrecision(5));
}

/** The point sets actually present, so the legend names only what is drawn. */
function sets(p: FitPlot): { domain: string[]; colors: string[]; shapes: string[] } {
  const all = [
    { name: "fitted on", color: "#f58518", shape: "circle", drawn: p.points.some((q) => !q.heldOut) },
    { name: "held out", color: "#e45756", shape: "diamond", drawn: p.points.some((q) => q.heldOut) },
    { name: "prediction (--predict)", color: "#54a24b", shape: "cross", drawn: p.predictions.length > 0 },
    { name: "compute-optimal (N*, D*)", color: "#b279a2", shape: "triangle-up", drawn: p.optimal.length > 0 },
  ].filter((s) => s.drawn);
  return { domain: all.map((s) => s.name), colors: all.map((s) => s.color), shapes: all.map((s) => s.shape) };
}

function curveSpec(p: FitPlot): ChartSpec {
  const xScale = p.logX ? { type: "log" as const } : { zero: false };
  const yScale = { zero: false };
  const legend = sets(p);
  const marks = [
    ...p.points.map((q) => ({ x: q.x, y: q.y, set: q.heldOut ? "held out" : "fitted on", label: q.label ?? "" })),
    ...p.predictions.map((q) => ({ x: q.x, y: q.y, set: "prediction (--predict)", label: "" })),
    ...p.optimal.map((q) => ({ x: q.x, y: q.y, set: "compute-optimal (N*, D*)", label: "" })),
  ];
  const x = { field: "x", type: "quantitative", scale: xScale, axis: axis(p, p.xLabel) };
  const y = { field: "y", type: "quantitative", scale: yScale, title: p.yLabel };
  const layers: unknown[] = [];
  const band = p.curve.filter((c) => c.lo !== undefined);
  if (band.length) {
    layers.push({ data: { values: band }, mark: { type: "area", opacity: 0.25, color: "#4c78a8" }, encoding: { x, y: { field: "lo", type: "quantitative", scale: yScale }, y2: { field: "hi" } } });
  }
  if (p.curve.length) layers.push({ data: { values: p.curve }, mark: { type: "line", color: "#17324d", strokeWidth: 2 }, encoding: { x, y } });
  const errorBars = p.predictions.filter((q) => q.lo !== undefined);
  if (errorBars.length) {
    layers.push({ data: { values: errorBars }, mark: { type: "rule", color: "#54a24b" }, encoding: { x, y: { field: "lo", type: "quantitative", scale: yScale }, y2: { field: "hi" } } });
  }
  layers.push({
    data: { values: marks },
    mark: { type: "point", filled: true, size: 48, opacity: 0.85 },
    encoding: {
      x,
      y,
      color: { field: "set", type: "nominal", scale: { domain: legend.domain, range: legend.colors }, title: null, legend: { labelLimit: 0 } },
      shape: { field: "set", type: "nominal", scale: { domain: legend.domain, range: legend.shapes }, title: null },
    },
  });
  const named = p.points.filter((q) => q.label);
  if (named.length > 0 && named.length <= MAX_NAMED_POINTS) {
    layers.push({ data: { values: named.map((q) => ({ x: q.x, y: q.y, label: q.label })) }, mark: { type: "text", align: "left", dx: 6, dy: -4, fontSize: 10, color: "#333" }, encoding: { x, y, text: { field: "label" } } });
  }
  return { $schema: "https://vega.github.io/schema/vega-lite/v6.json", width: 720, height: 380, layer: layers } as ChartSpec;
}

function residualSpec(p: FitPlot): ChartSpec {
  const xScale = p.logX ? { type: "log" as const } : { zero: false };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 720,
    height: 220,
    layer: [
      { data: { values: [{ r: 0 }] }, mark: { type: "rule", color: "#888" }, encoding: { y: { field: "r", type: "quantitative" } } },
      {
        data: { values: p.points.map((q) => ({ x: q.x, r: q.residual, set: q.heldOut ? "held out" : "fitted on" })) },
        mark: { type: "point", filled: true, size: 30 },
        encoding: {
          x: { field: "x", type: "quantitative", scale: xScale, axis: axis(p, p.xLabel) },
          y: { field: "r", type: "quantitative", title: `observed − fitted ${p.yLabel}` },
          color: { field: "set", type: "nominal", scale: { domain: sets(p).domain.slice(0, p.points.some((q) => q.heldOut) ? 2 : 1), range: ["#f58518", "#e45756"] }, title: null },
        },
      },
    ],
  } as ChartSpec;
}

export async function renderFitReport(run: FitReportInput, command = "datatailor fit"): Promise<string> {
  const s = run.summary;
  const sections: Section[] = [];
  const warn: RawHtml[] = s.warnings.map((w) => html`<p class="warn">${w}</p>`);
  sections.push({
    title: "Fit",
    intro: `${s.formula}, fitted to ${s.n} points of ${run.source} (${s.columns.y} against ${s.columns.x.join(", ")}) with ${
      s.huberDelta === null ? "least squares" : `Huber loss (delta ${s.huberDelta})`
    } on ${s.residualSpace} residuals, L-BFGS from ${s.starts.tried} start(s).`,
    body: html`${warn}${kpis([
      { label: "points fitted", value: s.n },
      { label: "objective", value: s.objective.toPrecision(6) },
      { label: "starts converged", value: `${s.starts.converged} / ${s.starts.tried}` },
      { label: "bootstrap resamples", value: s.bootstrap ? s.bootstrap.resamples - s.bootstrap.failed : 0 },
    ])}${table(
      ["parameter", "estimate", `${Math.round(s.level * 100)}% interval (bootstrap)`],
      Object.keys(s.params).map((p) => [p, fmt(s.params[p]), s.ci[p] ? `[${fmt(s.ci[p][0])}, ${fmt(s.ci[p][1])}]` : "–"]),
      [false, true, true],
    )}`,
  });
  sections.push({
    title: "Data and fitted law",
    intro:
      run.lawName === "chinchilla"
        ? run.plot.curve.length
          ? "Each run at its training compute; the line is the loss of the compute-optimal model at each budget, the band its bootstrap interval. Runs lie on or above it."
          : "Each run at its training compute. No compute-optimal frontier is drawn: it needs alpha > 0 and beta > 0 (see the warnings)."
        : "Observed points, the fitted curve and its bootstrap confidence band; held-out points (not used in the fit) are diamonds, predictions crosses with their confidence interval.",
    body: await chart(curveSpec(run.plot), "data with fitted curve and confidence band"),
  });
  sections.push({
    title: "Residuals",
    intro: "Observed minus fitted. A trend here means the law misses the shape of the data.",
    body: await chart(residualSpec(run.plot), "residuals"),
  });
  if (s.holdout) {
    const h = s.holdout;
    sections.push({
      title: `Extrapolation to the ${h.k} largest run(s)`,
      intro: "The law was fitted without these runs; this is the error a forecast at their scale would have made.",
      body: html`${kpis([
        { label: "mean absolute error", value: fmt(h.mae) },
        { label: "RMSE", value: fmt(h.rmse) },
        { label: "mean abs. relative error", value: `${(100 * h.mape).toFixed(2)}%` },
      ])}${table(
        ["point", ...s.columns.x, "observed", "predicted", "error"],
        h.points.map((p) => [p.where, ...s.columns.x.map((n) => fmt(p.x[n])), fmt(p.y), fmt(p.predicted), fmt(p.error)]),
        [false, ...s.columns.x.map(() => true), true, true, true],
      )}`,
    });
  }
  if (s.predictions.length) {
    sections.push({
      title: "Predictions",
      intro: "Confidence interval: where the law itself lies; prediction interval: where a new run would land (adds the scatter of the residuals).",
      body: table(
        [...s.columns.x, "predicted", "confidence interval", "prediction interval"],
        s.predictions.map((p) => [
          ...s.columns.x.map((n) => fmt(p.x[n])),
          fmt(p.y),
          p.ci ? `[${fmt(p.ci[0])}, ${fmt(p.ci[1])}]` : "–",
          p.pi ? `[${fmt(p.pi[0])}, ${fmt(p.pi[1])}]` : "–",
        ]),
        [...s.columns.x.map(() => true), true, false, false],
      ),
    });
  }
  if (s.allocation.length) {
    sections.push({
      title: "Compute-optimal allocation",
      intro: "Minimising the fitted loss at C = 6ND.",
      body: table(
        ["compute (FLOPs)", "parameters N*", "tokens D*", "tokens per parameter", "loss"],
        s.allocation.map((a) => [fmt(a.compute), fmt(a.N), fmt(a.D), a.tokensPerParam.toFixed(1), fmt(a.loss)]),
        [true, true, true, true, true],
      ),
    });
  }
  return renderPage({ title: `Scaling-law fit: ${s.law}`, subtitle: command, sections, generatedBy: "datatailor fit" });
}

export async function writeFitReport(file: string, run: FitReportInput, command?: string): Promise<void> {
  await writeFileAtomic(file, await renderFitReport(run, command));
}
