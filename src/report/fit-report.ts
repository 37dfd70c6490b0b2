/**
 * The `fit` report: parameters with intervals, the data with the fitted curve and its
 * confidence band (Chinchilla: the compute-optimal frontier), held-out points, residuals,
 * predictions and allocation. One self-contained HTML file (inline SVG, no script).
 */
import { writeFileAtomic } from "../io/atomic.js";
import { html, type RawHtml } from "./escape.js";
import { chart, kpis, renderPage, table, type Section } from "./page.js";
import type { ChartSpec } from "./chart.js";
import type { FitRun } from "../pipelines/fit/run.js";

function fmt(v: number | undefined | null): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return "–";
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : String(+v.toPrecision(5));
}

function curveSpec(run: FitRun): ChartSpec {
  const p = run.plot;
  const xScale = p.logX ? { type: "log" as const } : { zero: false };
  const yScale = { zero: false };
  const points = p.points.map((q) => ({ x: q.x, y: q.y, set: q.heldOut ? "held out" : "fitted on", where: q.where, label: q.label ?? "" }));
  const hasBand = p.curve.some((c) => c.lo !== undefined);
  const layers: unknown[] = [];
  if (hasBand) {
    layers.push({
      data: { values: p.curve.filter((c) => c.lo !== undefined) },
      mark: { type: "area", opacity: 0.25, color: "#4c78a8" },
      encoding: { x: { field: "x", type: "quantitative", scale: xScale }, y: { field: "lo", type: "quantitative", scale: yScale }, y2: { field: "hi" } },
    });
  }
  if (p.curve.length) {
    layers.push({
      data: { values: p.curve },
      mark: { type: "line", color: "#17324d", strokeWidth: 2 },
      encoding: { x: { field: "x", type: "quantitative", scale: xScale, title: p.xLabel }, y: { field: "y", type: "quantitative", scale: yScale, title: p.yLabel } },
    });
  }
  layers.push({
    data: { values: points },
    mark: { type: "point", filled: true, size: 36, opacity: 0.8 },
    encoding: {
      x: { field: "x", type: "quantitative", scale: xScale, title: p.xLabel },
      y: { field: "y", type: "quantitative", scale: yScale, title: p.yLabel },
      color: { field: "set", type: "nominal", scale: { domain: ["fitted on", "held out"], range: ["#f58518", "#e45756"] }, title: "points" },
      shape: { field: "set", type: "nominal", scale: { domain: ["fitted on", "held out"], range: ["circle", "diamond"] }, title: "points" },
    },
  });
  if (p.predictions.length) {
    layers.push({
      data: { values: p.predictions },
      mark: { type: "point", shape: "cross", size: 120, color: "#54a24b", filled: true },
      encoding: { x: { field: "x", type: "quantitative", scale: xScale }, y: { field: "y", type: "quantitative", scale: yScale } },
    });
  }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 720,
    height: 380,
    layer: layers,
  } as ChartSpec;
}

function residualSpec(run: FitRun): ChartSpec {
  const p = run.plot;
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
          x: { field: "x", type: "quantitative", scale: xScale, title: p.xLabel },
          y: { field: "r", type: "quantitative", title: `observed − fitted ${p.yLabel}` },
          color: { field: "set", type: "nominal", scale: { domain: ["fitted on", "held out"], range: ["#f58518", "#e45756"] }, title: "points" },
        },
      },
    ],
  } as ChartSpec;
}

export async function renderFitReport(run: FitRun, command = "datatailor fit"): Promise<string> {
  const s = run.summary;
  const sections: Section[] = [];
  const warn: RawHtml[] = s.warnings.map((w) => html`<p class="warn">${w}</p>`);
  sections.push({
    title: "Fit",
    intro: `${s.formula}, fitted to ${s.n} points of ${run.data.source} (${s.columns.y} against ${s.columns.x.join(", ")}) with ${
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
      run.law.name === "chinchilla"
        ? "Each run at its training compute; the line is the loss of the compute-optimal model at each budget, the band its bootstrap interval. Runs lie on or above it."
        : "Observed points, the fitted curve and its bootstrap confidence band; held-out points (not used in the fit) are diamonds, predictions crosses.",
    body: await chart(curveSpec(run), "data with fitted curve and confidence band"),
  });
  sections.push({
    title: "Residuals",
    intro: "Observed minus fitted. A trend here means the law misses the shape of the data.",
    body: await chart(residualSpec(run), "residuals"),
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

export async function writeFitReport(file: string, run: FitRun, command?: string): Promise<void> {
  await writeFileAtomic(file, await renderFitReport(run, command));
}
