/**
 * A self-contained HTML report: inline CSS, inline SVG charts, no script and no network.
 * Sections are built with the escaping `html` tag so corpus text can never inject markup.
 */
import { html, raw, type RawHtml } from "./escape.js";
import { renderChart, type ChartSpec } from "./chart.js";

export interface Section {
  title: string;
  /** Optional one-paragraph explanation shown under the heading. */
  intro?: string;
  body: RawHtml;
}

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0; color: #1d1d1f; background: #fafafa; }
header { background: #17324d; color: #fff; padding: 18px 32px; }
header h1 { margin: 0; font-size: 22px; }
header p { margin: 4px 0 0; opacity: .85; }
main { max-width: 1100px; margin: 0 auto; padding: 16px 32px 48px; }
section { background: #fff; border: 1px solid #e3e3e3; border-radius: 8px; padding: 16px 20px; margin: 16px 0; }
section h2 { margin: 0 0 8px; font-size: 17px; }
.intro { color: #555; margin: 0 0 12px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #f4f6f8; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; }
.kpi { border: 1px solid #e3e3e3; border-radius: 6px; padding: 8px 14px; min-width: 120px; }
.kpi .v { font-size: 20px; font-weight: 600; }
.kpi .k { color: #666; font-size: 12px; }
.chart svg { max-width: 100%; height: auto; }
.doc { white-space: pre-wrap; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; background: #f7f7f7; border-radius: 4px; padding: 6px 8px; max-height: 160px; overflow: auto; }
.warn { background: #fff4e5; border-left: 4px solid #f0a020; padding: 8px 12px; }
footer { color: #888; font-size: 12px; text-align: center; padding: 16px; }
`;

export function kpis(items: Array<{ label: string; value: string | number }>): RawHtml {
  return html`<div class="kpis">${items.map((i) => html`<div class="kpi"><div class="v">${i.value}</div><div class="k">${i.label}</div></div>`)}</div>`;
}

export function table(headers: string[], rows: Array<Array<string | number | RawHtml>>, numeric: boolean[] = []): RawHtml {
  const cls = (i: number) => (numeric[i] ? raw(' class="num"') : raw(""));
  return html`<table><thead><tr>${headers.map((h, i) => html`<th${cls(i)}>${h}</th>`)}</tr></thead><tbody>${rows.map(
    (r) => html`<tr>${r.map((c, i) => html`<td${cls(i)}>${c}</td>`)}</tr>`,
  )}</tbody></table>`;
}

export async function chart(spec: ChartSpec, label: string): Promise<RawHtml> {
  const svg = await renderChart(spec);
  return html`<figure class="chart" role="img" aria-label="${label}">${raw(svg)}</figure>`;
}

export function renderPage(opts: { title: string; subtitle?: string; sections: Section[]; generatedBy?: string }): string {
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${opts.title}</title><style>${raw(STYLE)}</style></head>
<body><header><h1>${opts.title}</h1>${opts.subtitle ? html`<p>${opts.subtitle}</p>` : ""}</header>
<main>${opts.sections.map(
    (s) => html`<section><h2>${s.title}</h2>${s.intro ? html`<p class="intro">${s.intro}</p>` : ""}${s.body}</section>`,
  )}</main>
<footer>${opts.generatedBy ?? "datatailor"}</footer></body></html>
`;
  return body.html;
}
