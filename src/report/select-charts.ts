/**
 * Vega-Lite specs for the select report. Pure functions from report data to specs; the page
 * renders them to inline SVG (src/report/chart.ts), so nothing here runs in the browser.
 */
import type { ChartSpec } from "./chart.js";
import { fmtInt, fmtNum, fmtPct, fmtSeconds, ratio } from "./select-format.js";

export const COLORS = { kept: "#2a7f62", dropped: "#aab4be", rejected: "#d9822b", read: "#17324d", threshold: "#c0392b", raw: "#aab4be" };
const WIDE = 860;

/** Documents at each step: read, rejected as bad input, scored, kept, dropped. */
export function funnelSpec(f: { read: number; rejected: number; scored: number; kept: number; dropped: number }): ChartSpec {
  const rows = [
    { step: "1 read", count: f.read, color: COLORS.read },
    { step: "2 rejected (bad input)", count: f.rejected, color: COLORS.rejected },
    { step: "3 scored", count: f.scored, color: COLORS.read },
    { step: "4 kept", count: f.kept, color: COLORS.kept },
    { step: "5 dropped", count: f.dropped, color: COLORS.dropped },
  ].map((r) => ({ ...r, label: `${fmtInt(r.count)} (${fmtPct(ratio(r.count, f.read))})` }));
  return {
    width: WIDE - 200,
    height: 150,
    data: { values: rows },
    encoding: {
      y: { field: "step", type: "nominal", sort: null, title: null, axis: { labelExpr: "slice(datum.label, 2)", labelFontSize: 12, labelLimit: 220 } },
      x: { field: "count", type: "quantitative", title: "documents", scale: { domainMin: 0 } },
    },
    layer: [
      { mark: { type: "bar", cornerRadiusEnd: 3, height: { band: 0.7 } }, encoding: { color: { field: "color", type: "nominal", scale: null } } },
      { mark: { type: "text", align: "left", dx: 4, fontSize: 11 }, encoding: { text: { field: "label" } } },
    ],
  } as ChartSpec;
}

/** Share of tokens kept versus the requested fraction, as one stacked bar per unit. */
export function keepSpec(k: { tokens: number; docs: number; requested: number; by: "tokens" | "docs" }): ChartSpec {
  const rows = [
    { unit: "tokens", part: "kept", value: k.tokens },
    { unit: "tokens", part: "dropped", value: Math.max(0, 1 - k.tokens) },
    { unit: "documents", part: "kept", value: k.docs },
    { unit: "documents", part: "dropped", value: Math.max(0, 1 - k.docs) },
  ];
  return {
    width: WIDE - 200,
    height: 70,
    layer: [
      {
        data: { values: rows },
        mark: { type: "bar", height: { band: 0.65 } },
        encoding: {
          y: { field: "unit", type: "nominal", title: null, sort: ["tokens", "documents"] },
          x: { field: "value", type: "quantitative", stack: "zero", title: "fraction of the corpus", axis: { format: "%" }, scale: { domain: [0, 1] } },
          color: { field: "part", type: "nominal", scale: { domain: ["kept", "dropped"], range: [COLORS.kept, COLORS.dropped] }, legend: { orient: "right", title: null } },
          order: { field: "part", sort: "descending" },
        },
      },
      {
        data: { values: [{ requested: k.requested, label: `requested ${fmtPct(k.requested)} of ${k.by}` }] },
        layer: [
          { mark: { type: "rule", color: COLORS.threshold, strokeDash: [4, 3], strokeWidth: 2 }, encoding: { x: { field: "requested", type: "quantitative" } } },
          {
            // Label on the side with room, so it never runs off the plot.
            mark: { type: "text", color: COLORS.threshold, align: k.requested > 0.7 ? "right" : "left", dx: k.requested > 0.7 ? -4 : 4, y: -6, fontSize: 11 },
            encoding: { x: { field: "requested", type: "quantitative" }, text: { field: "label" } },
          },
        ],
      },
    ],
  } as ChartSpec;
}

/** Score histogram with bins coloured by which side of the threshold they fall and the threshold drawn. */
export function histogramSpec(h: { edges: number[]; counts: number[] }, threshold: number): ChartSpec {
  const bins = h.counts.map((count, i) => {
    const x0 = h.edges[i];
    const x1 = h.edges[i + 1];
    return { x0, x1, count, side: (x0 + x1) / 2 >= threshold ? "kept" : "dropped" };
  });
  const nonzero = h.counts.filter((c) => c > 0).sort((a, b) => a - b);
  const max = nonzero.length ? nonzero[nonzero.length - 1] : 0;
  const median = nonzero.length ? nonzero[Math.floor(nonzero.length / 2)] : 0;
  // Classifier scores pile up near 0 with a thin kept tail; a square-root axis keeps the tail visible and still starts at 0.
  const skewed = median > 0 && max / median > 20;
  const lo = h.edges.length ? h.edges[0] : 0;
  const hi = h.edges.length ? h.edges[h.edges.length - 1] : 1;
  const showRule = Number.isFinite(threshold) && threshold >= lo && threshold <= hi;
  const layers: object[] = [
    {
      data: { values: bins },
      mark: { type: "bar", binSpacing: 0 },
      encoding: {
        // Pre-binned data: "binned" makes the bars span x0..x1 and stand on zero.
        x: { field: "x0", type: "quantitative", bin: "binned", title: "score", scale: { domain: [lo, hi], nice: false } },
        x2: { field: "x1" },
        y: { field: "count", type: "quantitative", title: skewed ? "documents (square-root scale)" : "documents", scale: skewed ? { type: "sqrt" } : {} },
        color: { field: "side", type: "nominal", scale: { domain: ["kept", "dropped"], range: [COLORS.kept, COLORS.dropped] }, legend: { orient: "top-right", title: null } },
        tooltip: [{ field: "x0", title: "from" }, { field: "x1", title: "to" }, { field: "count" }],
      },
    },
  ];
  if (showRule) {
    layers.push({
      data: { values: [{ t: threshold, label: `threshold ${fmtNum(threshold)}` }] },
      layer: [
        { mark: { type: "rule", color: COLORS.threshold, strokeWidth: 2, strokeDash: [5, 3] }, encoding: { x: { field: "t", type: "quantitative" } } },
        { mark: { type: "text", color: COLORS.threshold, align: "left", dx: 5, y: 8, fontSize: 12, fontWeight: "bold" }, encoding: { x: { field: "t", type: "quantitative" }, text: { field: "label" } } },
      ],
    });
  }
  return { width: WIDE, height: 240, layer: layers } as ChartSpec;
}

/** BETR Table 10: which benchmark's examples were the best match of the kept docs. */
export function benchmarkSpec(rows: Array<{ name: string; share: number; keptDocs: number }>): ChartSpec {
  const values = rows.map((r) => ({ ...r, label: `${fmtPct(r.share)} (${fmtInt(r.keptDocs)} docs)` }));
  return {
    width: WIDE - 260,
    height: { step: 22 },
    data: { values },
    encoding: {
      y: { field: "name", type: "nominal", sort: null, title: null, axis: { labelLimit: 260 } },
      x: { field: "share", type: "quantitative", title: "share of kept documents", axis: { format: ".0%", tickCount: 6 }, scale: { domainMin: 0 } },
    },
    layer: [
      { mark: { type: "bar", color: COLORS.kept, cornerRadiusEnd: 3 } },
      { mark: { type: "text", align: "left", dx: 4, fontSize: 11 }, encoding: { text: { field: "label" } } },
    ],
  } as ChartSpec;
}

/** Kept share of each source (largest 30), with the corpus-wide rate as a rule: what the targets pulled in stands out. */
export function sourceSpec(rows: Array<{ name: string; read: number; kept: number }>, overall: number): ChartSpec {
  const values = [...rows]
    .sort((a, b) => b.kept - a.kept || b.read - a.read)
    .slice(0, 30)
    .map((r) => ({ name: r.name, share: r.read ? r.kept / r.read : 0, label: `${fmtPct(r.read ? r.kept / r.read : 0)} (${fmtInt(r.kept)} of ${fmtInt(r.read)})` }));
  return {
    width: WIDE - 260,
    height: { step: 22 },
    layer: [
      {
        data: { values },
        encoding: {
          y: { field: "name", type: "nominal", sort: null, title: null, axis: { labelLimit: 260 } },
          x: { field: "share", type: "quantitative", title: "kept share of the source's documents", axis: { format: ".0%", tickCount: 6 }, scale: { domainMin: 0 } },
        },
        layer: [
          { mark: { type: "bar", color: COLORS.kept, cornerRadiusEnd: 3 } },
          { mark: { type: "text", align: "left", dx: 4, fontSize: 11 }, encoding: { text: { field: "label" } } },
        ],
      },
      { data: { values: [{ overall }] }, mark: { type: "rule", strokeDash: [4, 3], color: "#555" }, encoding: { x: { field: "overall", type: "quantitative" } } },
    ],
  } as ChartSpec;
}

/** KL(target ‖ data) before and after selection, overall and per benchmark; lower is closer. */
export function klSpec(rows: Array<{ name: string; rawKL: number; selectedKL: number }>): ChartSpec {
  const values = rows.flatMap((r) => [
    { name: r.name, set: "raw corpus", kl: r.rawKL },
    { name: r.name, set: "selected", kl: r.selectedKL },
  ]);
  return {
    width: WIDE - 260,
    height: { step: 14 },
    data: { values },
    mark: { type: "bar", cornerRadiusEnd: 2 },
    encoding: {
      y: { field: "name", type: "nominal", title: null, sort: null, axis: { labelLimit: 260 } },
      yOffset: { field: "set", sort: ["raw corpus", "selected"] },
      x: { field: "kl", type: "quantitative", title: "KL(target ‖ data), hashed n-grams (lower = closer)", axis: { tickCount: 6 } },
      color: { field: "set", type: "nominal", scale: { domain: ["raw corpus", "selected"], range: [COLORS.raw, COLORS.kept] }, legend: { orient: "top", title: null } },
    },
  } as ChartSpec;
}

/** Wall-clock seconds per stage (where the time went), labelled with each stage's docs/s. */
export function throughputSpec(rows: Array<{ stage: string; docs: number; seconds: number; workers?: number }>): ChartSpec {
  const values = rows.map((r) => {
    const rate = r.seconds > 0 ? r.docs / r.seconds : 0;
    const workers = r.workers ? `, ${r.workers} worker${r.workers > 1 ? "s" : ""}` : "";
    return { stage: r.stage, seconds: r.seconds, label: `${fmtSeconds(r.seconds)} · ${fmtInt(rate)} docs/s${workers}` };
  });
  return {
    width: WIDE - 320,
    height: { step: 24 },
    data: { values },
    encoding: {
      y: { field: "stage", type: "nominal", sort: null, title: null, axis: { labelLimit: 260 } },
      x: { field: "seconds", type: "quantitative", title: "seconds (wall clock)", scale: { domainMin: 0 }, axis: { tickCount: 6 } },
    },
    layer: [
      { mark: { type: "bar", color: COLORS.read, cornerRadiusEnd: 3 } },
      { mark: { type: "text", align: "left", dx: 4, fontSize: 11 }, encoding: { text: { field: "label" } } },
    ],
  } as ChartSpec;
}
