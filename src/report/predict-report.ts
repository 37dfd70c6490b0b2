/**
 * HTML report for `predict`: predicted vs actual (out-of-fold), MAE per benchmark for
 * scale-only vs design-aware trees, SHAP contributions of a planned model, and sweeps of one
 * design variable. Built on page.ts (self-contained, no script).
 */
import { writeFileAtomic } from "../io/atomic.js";
import type { ChartSpec } from "./chart.js";
import { html, type RawHtml } from "./escape.js";
import { chart, kpis, renderPage, table, type Section } from "./page.js";
import { maxOf, minOf } from "../util/array.js";

// What the report reads of predict's results, declared here (structurally) so that report/
// depends on nothing above it; pipelines/predict's CvSummary, CardPrediction and SweepPoint fit.

/** One benchmark under the cross-validation protocol. */
export interface PredictReportCv {
  benchmark: string;
  setting: string;
  metric: string;
  n: number;
  mae_scale_only: number;
  mae_full: number;
  /** percent */
  relative_improvement: number;
  p_value: number;
  p_adjusted: number | null;
  mae_loglinear: number;
  mae_median: number;
  features: string[];
  /** Out-of-fold predictions of the first seed, per model. */
  predictions: Array<{ id: string; actual: number; scale_only: number; full: number }>;
  /** TreeSHAP of a model fit on all rows: row-major values (features + 1 per row) and feature values. */
  shap: { features: string[]; mean_abs: number[]; values: ArrayLike<number>; x: ArrayLike<number> };
}

/** A planned model's prediction with its interval and SHAP contributions. */
export interface PredictReportCard {
  id: string;
  benchmark: string;
  metric: string;
  prediction: number;
  interval: [number, number];
  coverage: number;
  base_value: number;
  cv_mae: number;
  n: number;
  interval_valid?: boolean;
  warnings?: string[];
  contributions: Array<{ feature: string; value: string | number | boolean | null; shap: number }>;
}

export interface PredictReportSweepPoint {
  value: number;
  prediction: number;
  lo: number;
  hi: number;
  interval_valid?: boolean;
}

export interface PredictReportSweep {
  card: string;
  benchmark: string;
  feature: string;
  points: PredictReportSweepPoint[];
}

export interface PredictReportInput {
  db: string;
  cv?: PredictReportCv[];
  cards?: PredictReportCard[];
  sweeps?: PredictReportSweep[];
}

const f4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : "-");
const pval = (x: number | null) => (x === null || !Number.isFinite(x) ? "-" : x < 1e-4 ? x.toExponential(2) : x.toFixed(4));

function predictedVsActual(r: PredictReportCv): ChartSpec {
  const values = r.predictions.flatMap((p) => [
    { id: p.id, actual: p.actual, predicted: p.scale_only, model: "scale only" },
    { id: p.id, actual: p.actual, predicted: p.full, model: "scale + design" },
  ]);
  const lo = minOf(values.map((v) => Math.min(v.actual, v.predicted)));
  const hi = maxOf(values.map((v) => Math.max(v.actual, v.predicted)));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 420,
    height: 320,
    title: `${r.benchmark} (${r.setting}): out-of-fold predictions, seed 0`,
    layer: [
      { data: { values: [{ x: lo, y: lo }, { x: hi, y: hi }] }, mark: { type: "line", color: "#999", strokeDash: [4, 4] }, encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } },
      {
        data: { values },
        mark: { type: "point", filled: true, opacity: 0.7 },
        encoding: {
          x: { field: "actual", type: "quantitative", title: `actual ${r.metric}`, scale: { domain: [lo, hi] } },
          y: { field: "predicted", type: "quantitative", title: `predicted ${r.metric}`, scale: { domain: [lo, hi] } },
          color: { field: "model", type: "nominal" },
        },
      },
    ],
  } as ChartSpec;
}

function maeBars(rows: PredictReportCv[]): ChartSpec {
  const values = rows.flatMap((r) => [
    { benchmark: `${r.benchmark} ${r.setting}`, model: "scale only", mae: r.mae_scale_only },
    { benchmark: `${r.benchmark} ${r.setting}`, model: "scale + design", mae: r.mae_full },
  ]);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 520,
    height: { step: 14 },
    title: "Cross-validated MAE per benchmark",
    data: { values },
    mark: "bar",
    encoding: {
      y: { field: "benchmark", type: "nominal", title: null, axis: { labelLimit: 260 } },
      yOffset: { field: "model" },
      x: { field: "mae", type: "quantitative", title: "MAE" },
      color: { field: "model", type: "nominal" },
    },
  } as ChartSpec;
}

function shapBars(p: PredictReportCard): ChartSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 420,
    height: { step: 18 },
    title: `${p.id}: contributions to ${p.benchmark} (${p.metric})`,
    data: { values: p.contributions.map((c) => ({ feature: `${c.feature} = ${c.value ?? "missing"}`, shap: c.shap, sign: c.shap >= 0 ? "raises" : "lowers" })) },
    mark: "bar",
    encoding: {
      y: { field: "feature", type: "nominal", sort: null, title: null, axis: { labelLimit: 260 } },
      x: { field: "shap", type: "quantitative", title: "SHAP contribution" },
      color: { field: "sign", type: "nominal", scale: { domain: ["raises", "lowers"], range: ["#2a7ab0", "#c0504d"] } },
    },
  } as ChartSpec;
}

/** SHAP summary: one dot per model and feature, coloured by the feature's value (rank within the feature). */
function shapSummary(r: PredictReportCv): ChartSpec {
  const { features, values, x } = r.shap;
  const nf = features.length;
  const n = r.n;
  const values_: Array<{ feature: string; shap: number; level: number | null }> = [];
  features.forEach((f, j) => {
    const col = Array.from({ length: n }, (_, i) => x[i * nf + j]);
    const present = col.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    for (let i = 0; i < n; i++) {
      const v = col[i];
      const level = Number.isNaN(v) || present.length < 2 ? null : present.indexOf(v) / (present.length - 1);
      values_.push({ feature: f, shap: values[i * (nf + 1) + j], level });
    }
  });
  const order = features.map((f, j) => [f, r.shap.mean_abs[j]] as const).sort((a, b) => b[1] - a[1]).map((e) => e[0]);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 480,
    height: { step: 22 },
    title: `${r.benchmark}: SHAP summary (model fit on all ${n} models)`,
    data: { values: values_ },
    mark: { type: "tick", thickness: 2, opacity: 0.7 },
    encoding: {
      y: { field: "feature", type: "nominal", sort: order, title: null, axis: { labelLimit: 260 } },
      x: { field: "shap", type: "quantitative", title: `SHAP contribution (${r.metric})` },
      color: { field: "level", type: "quantitative", title: "value rank", scale: { scheme: "redblue", reverse: true } },
    },
  } as ChartSpec;
}

function sweepChart(s: PredictReportSweep): ChartSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 480,
    height: 260,
    title: `${s.card}: ${s.benchmark} as ${s.feature} varies`,
    // The interval band is drawn only where it holds (inside the training data); points outside are hollow.
    data: { values: s.points.map((p) => ({ ...p, lo: p.interval_valid === false ? null : p.lo, hi: p.interval_valid === false ? null : p.hi, data: p.interval_valid === false ? "outside the training data" : "inside the training data" })) },
    layer: [
      { mark: { type: "area", opacity: 0.2 }, encoding: { x: { field: "value", type: "quantitative", title: s.feature }, y: { field: "lo", type: "quantitative", title: "predicted", scale: { zero: false } }, y2: { field: "hi" } } },
      { mark: { type: "line" }, encoding: { x: { field: "value", type: "quantitative" }, y: { field: "prediction", type: "quantitative" } } },
      { mark: { type: "point" }, encoding: { x: { field: "value", type: "quantitative" }, y: { field: "prediction", type: "quantitative" }, shape: { field: "data", type: "nominal", title: null }, fill: { condition: { test: "datum.interval_valid === false", value: "white" }, value: "#4c78a8" } } },
    ],
  } as ChartSpec;
}

export async function buildPredictReport(input: PredictReportInput): Promise<string> {
  const sections: Section[] = [];
  const cv = input.cv ?? [];
  if (cv.length) {
    sections.push({
      title: "Scale only vs scale + design",
      intro: "Mean absolute error of boosted trees under the Not-Just-Scaling protocol (3-fold outer CV, inner grid search), averaged over seeds; p-values from a paired t-test over seeds, adjusted with Benjamini-Hochberg across benchmarks.",
      body: await (async () => {
        const rows = cv.map((r) => [
          r.benchmark,
          r.setting,
          r.n,
          f4(r.mae_scale_only),
          f4(r.mae_full),
          r.relative_improvement.toFixed(1) + "%",
          pval(r.p_value),
          pval(r.p_adjusted),
          f4(r.mae_loglinear),
          f4(r.mae_median),
          r.features.join(", "),
        ]);
        const t = table(["benchmark", "setting", "n", "MAE scale", "MAE full", "improvement", "p", "p (BH)", "MAE ln-linear", "MAE median", "features"], rows, [false, false, true, true, true, true, true, true, true, true, false]);
        const bars = cv.length > 1 ? await chart(maeBars(cv), "MAE per benchmark") : null;
        return bars ? combine(t, bars) : t;
      })(),
    });
    for (const r of cv) {
      sections.push({
        title: `${r.benchmark} (${r.setting}): predictions and SHAP summary`,
        intro: "Left: out-of-fold predictions of seed 0 against the actual scores. Right: per-model TreeSHAP contributions of each feature (grey: value missing).",
        body: combine(await chart(predictedVsActual(r), `predicted vs actual ${r.benchmark}`), await chart(shapSummary(r), `SHAP summary ${r.benchmark}`)),
      });
    }
  }
  for (const p of input.cards ?? []) {
    const pts = (x: number) => (Math.abs(x) <= 1.5 ? `${(x * 100 >= 0 ? "+" : "") + (x * 100).toFixed(1)} pts` : (x >= 0 ? "+" : "") + x.toFixed(3));
    sections.push({
      title: `Prediction for ${p.id}: ${p.benchmark}`,
      intro: `Interval: ${Math.round(p.coverage * 100)}% of cross-validated absolute errors. Contributions are exact TreeSHAP values; they sum to the prediction minus the base value.`,
      body: combine(
        p.warnings?.length ? html`<div class="warn"><ul>${p.warnings.map((w) => html`<li>${w}</li>`)}</ul></div>` : html``,
        kpis([
          { label: `predicted ${p.metric}`, value: p.prediction.toFixed(4) },
          { label: p.interval_valid === false ? "interval (NOT VALID: extrapolation)" : "interval", value: `${p.interval[0].toFixed(3)} – ${p.interval[1].toFixed(3)}` },
          { label: "base value", value: p.base_value.toFixed(4) },
          { label: "CV MAE", value: p.cv_mae.toFixed(4) },
          { label: "models", value: p.n },
        ]),
        await chart(shapBars(p), `SHAP contributions ${p.id}`),
        table(["feature", "value", "contribution"], p.contributions.map((c) => [c.feature, String(c.value ?? "missing"), pts(c.shap)]), [false, false, true]),
      ),
    });
  }
  for (const s of input.sweeps ?? []) {
    const outside = s.points.filter((p) => p.interval_valid === false).map((p) => p.value);
    const note = outside.length
      ? html`<div class="warn">${outside.length} of ${s.points.length} points lie outside the training data (${s.feature} = ${outside.join(", ")}): predictions there are extrapolations and their interval is not valid (no band drawn).</div>`
      : html``;
    sections.push({ title: `Sweep: ${s.feature}`, body: combine(note, await chart(sweepChart(s), `sweep ${s.feature}`)) });
  }
  return renderPage({ title: "datatailor predict", subtitle: `database: ${input.db}`, sections });
}

function combine(...parts: RawHtml[]): RawHtml {
  return html`${parts}`;
}

export async function writePredictReport(file: string, input: PredictReportInput): Promise<void> {
  await writeFileAtomic(file, await buildPredictReport(input));
}
