/**
 * Charts as inline SVG: a Vega-Lite spec compiled and rendered server-side, so a report
 * is one file that opens from disk with no network and no script.
 */
import * as vega from "vega";
import * as vl from "vega-lite";
import type { TopLevelSpec } from "vega-lite";

export type ChartSpec = TopLevelSpec;

const BASE_CONFIG = {
  font: "system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif",
  view: { stroke: "transparent" },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: "#e8e8e8" },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: "start" as const },
};

/** Renders a Vega-Lite spec to an SVG string. */
export async function renderChart(spec: ChartSpec): Promise<string> {
  const withConfig = { ...spec, config: { ...BASE_CONFIG, ...(spec as { config?: object }).config } } as TopLevelSpec;
  const compiled = vl.compile(withConfig).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
