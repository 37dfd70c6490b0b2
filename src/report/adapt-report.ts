/**
 * The `adapt` report: the verdict and advice, the similarity panel, the token analysis of a
 * pilot (histogram of per-token deltas, change by token class, the most degraded tokens with
 * their contexts) and, for a sweep, similarity vs Δperplexity with the fitted line and a verdict
 * per domain. One self-contained HTML file (inline SVG, no script); corpus text is escaped.
 */
import { writeFileAtomic } from "../io/atomic.js";
import { maxOf, minOf, pushAll } from "../util/array.js";
import { html, type RawHtml } from "./escape.js";
import { chart, kpis, renderPage, table, type Section } from "./page.js";
import type { ChartSpec } from "./chart.js";
import type { Attribution } from "../models/adapt/attribution.js";
import type { Distances, Risk, RiskMetric, Thresholds } from "../models/adapt/verdict.js";
import { adviceFor, analysisOf, type TokenAnalysisView } from "../models/adapt/advice.js";

// What the report reads of adapt's results, declared here (structurally) so that report/ depends
// on nothing above it; pipelines/adapt's SimilarityResult, TokensResult and SweepResult fit.

/** Distances of a domain to the reference data, with the verdict and how they were measured. */
export interface AdaptReportSimilarity extends Distances {
  bandwidth: number;
  bandwidthSource: string;
  pValue: number;
  permutations: number;
  klReferenceToDomain: number;
  coverageRadius: number;
  vocabOverlap: number;
  vocabJaccard: number;
  oovRate: number;
  risk: Risk;
  thresholds: Thresholds;
  details: {
    embedder: string;
    dim: number;
    seed: number;
    samples: { domain: number; reference: number; domainDocs: number; referenceDocs: number };
    mmdSample: { domain: number; reference: number };
    permutationSample: { domain: number; reference: number };
    permutationMmd2: number;
    frechetMeanTerm: number;
    frechetCovarianceTerm: number;
    frechetRegulariser: number;
    klBuckets: number;
    vocab: { domainTypes: number; referenceTypes: number; domainTokens: number };
  };
}

/** One model of a pilot, scored on the domain's test text. */
export interface AdaptReportModel {
  id: string;
  tokenizer: string;
  perplexity: number;
  bitsPerByte: number;
  tokens: number;
  perplexityInformative?: number;
}

/** A pilot's token analysis: both models, the change and where it sits. */
export interface AdaptReportTokens extends TokenAnalysisView {
  base: AdaptReportModel;
  adapted: AdaptReportModel;
  unit: "line" | "doc";
  texts: number;
  bytes: number;
  comparison: "tokens" | "bits-per-byte";
  note?: string;
  relativeChange: number;
  worst?: Attribution["worst"];
  /** Per-type delta histogram bins. */
  histogram?: Array<{ from: number; to: number; types: number }>;
}

/** Many domains: similarity against Δperplexity, the fitted lines and a verdict per domain. */
export interface AdaptReportSweep {
  thresholds: Thresholds;
  domains: Array<{ domain: string; similarity: AdaptReportSimilarity; deltaPerplexity?: number; risk: Risk; advice: string[] }>;
  correlations: Array<{ metric: RiskMetric; pearson: number; spearman: number; slope: number; intercept: number; n: number }>;
}

export interface AdaptReportInput {
  similarity?: AdaptReportSimilarity;
  tokens?: AdaptReportTokens;
  sweep?: AdaptReportSweep;
  /** Shown under the title, e.g. which data was compared. */
  subtitle?: string;
  /** A line saying that the models are n-gram proxies, when they are. */
  proxyNote?: string;
  /** Names the domain of `similarity` and `tokens` in their panel titles. */
  domain?: string;
  /** Per-domain panels (a sweep's domains), each titled with its domain. */
  details?: Array<{ domain: string; similarity?: AdaptReportSimilarity; tokens?: AdaptReportTokens }>;
}

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const RISK_COLOR: Record<Risk, string> = { low: "#2e7d32", medium: "#b26a00", high: "#c62828" };

function fmt(v: number | undefined | null, digits = 4): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return "–";
  if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3)) return v.toExponential(3);
  return String(+v.toPrecision(digits));
}

function pct(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? "–" : `${(v * 100).toFixed(1)}%`;
}

function riskBadge(r: Risk): RawHtml {
  return html`<strong style="color:${RISK_COLOR[r]}">${r.toUpperCase()} RISK</strong>`;
}

function thresholdLine(t: Thresholds): string {
  const cmp = t.direction === "above" ? "≥" : "≤";
  return `${t.source === "calibrated" ? "Calibrated" : "Default"} thresholds on ${t.metric}: high ${cmp} ${fmt(t.high)}, medium ${cmp} ${fmt(t.medium)}. ${t.note}.`;
}

function verdictSection(risk: Risk | undefined, thresholds: Thresholds | undefined, advice: string[], proxyNote?: string): Section {
  return {
    title: "Verdict",
    intro: "Öncel et al. (2024) found that continued pretraining can raise perplexity on the very domain it trains on, when that domain is close to the pretraining data; distant domains improved.",
    body: html`${risk ? html`<p>${riskBadge(risk)}</p>` : ""}${thresholds ? html`<p>${thresholdLine(thresholds)}</p>` : ""}${proxyNote ? html`<p class="warn">${proxyNote}</p>` : ""}<ul>${advice.map((a) => html`<li>${a}</li>`)}</ul>`,
  };
}

function similaritySection(s: AdaptReportSimilarity, prefix = ""): Section {
  const d = s.details;
  const rows: Array<[string, string, string]> = [
    ["MMD² (unbiased, Gaussian kernel)", fmt(s.mmd2), `bandwidth σ = ${fmt(s.bandwidth)} (${s.bandwidthSource}); on ${d.mmdSample.domain} domain × ${d.mmdSample.reference} reference vectors`],
    ["permutation p-value", fmt(s.pValue), `${s.permutations} permutations on ${d.permutationSample.domain} + ${d.permutationSample.reference} vectors (MMD² there ${fmt(d.permutationMmd2)})`],
    ["Fréchet distance", fmt(s.frechet), `‖μ₁−μ₂‖² = ${fmt(d.frechetMeanTerm)}, covariance term ${fmt(d.frechetCovarianceTerm)}${d.frechetRegulariser ? `, ${d.frechetRegulariser}·I added to both covariances (singular)` : ""}`],
    ["nearest-neighbour coverage", pct(s.coverage), `domain docs nearer to a reference doc than the reference's median NN distance (${fmt(s.coverageRadius)})`],
    ["KL(domain ‖ reference)", fmt(s.klDomainToReference), `hashed unigrams + bigrams, ${d.klBuckets} buckets (DSIR)`],
    ["KL(reference ‖ domain)", fmt(s.klReferenceToDomain), ""],
    ["vocabulary overlap", pct(s.vocabOverlap), `${d.vocab.domainTypes} domain word types, ${d.vocab.referenceTypes} reference; Jaccard ${fmt(s.vocabJaccard)}`],
    ["OOV rate", pct(s.oovRate), `share of the domain's ${d.vocab.domainTokens} word tokens the reference never shows`],
  ];
  return {
    title: `${prefix}Similarity to the reference data`,
    intro: `Embedder ${d.embedder} (${d.dim} dimensions), seed ${d.seed}; ${d.samples.domain} of ${d.samples.domainDocs} domain documents and ${d.samples.reference} of ${d.samples.referenceDocs} reference documents sampled.`,
    body: html`${kpis([
      { label: "risk", value: s.risk },
      { label: "coverage", value: pct(s.coverage) },
      { label: "MMD²", value: fmt(s.mmd2) },
      { label: "p-value", value: fmt(s.pValue) },
      { label: "Fréchet", value: fmt(s.frechet) },
    ])}${table(["measure", "value", "how"], rows, [false, true, false])}`,
  };
}

function deltaHistogram(t: AdaptReportTokens): ChartSpec {
  const values = (t.histogram ?? []).filter((b) => b.types > 0);
  return {
    $schema: SCHEMA,
    width: 720,
    height: 220,
    data: { values },
    mark: { type: "bar", color: "#4c78a8" },
    encoding: {
      x: { field: "from", type: "quantitative", title: "Σ (ln p_adapted − ln p_base) per token type" },
      x2: { field: "to" },
      y: { field: "types", type: "quantitative", title: "token types (symlog scale)", scale: { type: "symlog" } },
      tooltip: [{ field: "from" }, { field: "to" }, { field: "types" }],
    },
  } as ChartSpec;
}

function classChart(t: AdaptReportTokens): ChartSpec {
  const values = (t.classes ?? []).map((c) => ({ class: c.class, delta: c.delta, sign: c.delta < 0 ? "worse" : "better" }));
  return {
    $schema: SCHEMA,
    width: 720,
    height: 220,
    data: { values },
    mark: { type: "bar" },
    encoding: {
      y: { field: "class", type: "nominal", sort: null, title: "token class" },
      x: { field: "delta", type: "quantitative", title: "total Σ (ln p_adapted − ln p_base)" },
      color: { field: "sign", type: "nominal", scale: { domain: ["worse", "better"], range: ["#e45756", "#54a24b"] }, title: "adapted model" },
    },
  } as ChartSpec;
}

async function tokensSection(t: AdaptReportTokens, prefix = ""): Promise<Section[]> {
  const models = table(
    ["model", "tokenizer", "tokens", "perplexity", "perplexity without eol/whitespace/punctuation", "bits per byte"],
    [t.base, t.adapted].map((m, i) => [`${i ? "adapted" : "base"}: ${m.id}`, m.tokenizer, m.tokens, fmt(m.perplexity), fmt(m.perplexityInformative), fmt(m.bitsPerByte)]),
    [false, false, true, true, true, true],
  );
  const intro = `${t.texts} ${t.unit === "line" ? "lines, each scored as a sentence (<s> … </s>)" : "documents"}, ${t.bytes} bytes. Change: ${pct(t.relativeChange)} ${t.comparison === "tokens" ? "in perplexity" : "in bits per byte"}.`;
  const out: Section[] = [{ title: `${prefix}Pilot: both models on the domain's test text`, intro, body: html`${t.note ? html`<p class="warn">${t.note}</p>` : ""}${models}` }];
  const a = t;
  if (!a.classes || !a.concentration || !a.worst) return out;
  out.push({
    title: `${prefix}Where the change sits`,
    intro: `Per token type, delta = Σ (ln p_adapted − ln p_base) over its occurrences; negative means the adapted model got worse. The top 1% of types (${a.concentration.topTypes} of ${a.concentration.types}) carry ${pct(a.concentration.share)} of the absolute change.`,
    body: html`${await chart(deltaHistogram(t), "histogram of per-token deltas")}${await chart(classChart(t), "change by token class")}${table(
      ["class", "occurrences", "total delta", "share of total change"],
      a.classes.map((c) => [c.class, c.count, fmt(c.delta), pct(c.share)]),
      [false, true, true, true],
    )}`,
  });
  out.push({
    title: `${prefix}Most degraded tokens, in context`,
    intro: "Each token's worst occurrences; ⟦…⟧ marks the token, \\n a newline.",
    body: table(
      ["token", "class", "count", "delta", "contexts"],
      a.worst.map((w) => [w.token, w.class, w.count, fmt(w.delta), html`${w.examples.map((e) => html`<div class="doc">${e.context}  (${fmt(e.delta)})</div>`)}`]),
      [false, false, true, true, false],
    ),
  });
  return out;
}

function sweepScatter(s: AdaptReportSweep): ChartSpec | undefined {
  const metric = s.thresholds.metric;
  const pts = s.domains.filter((d) => d.deltaPerplexity !== undefined).map((d) => ({ domain: d.domain, x: d.similarity[metric === "coverage" ? "coverage" : metric], y: d.deltaPerplexity! * 100, risk: d.risk }));
  if (!pts.length) return undefined;
  const fit = s.correlations.find((c) => c.metric === metric);
  const layers: unknown[] = [];
  if (fit && pts.length >= 2) {
    const xs = pts.map((p) => p.x);
    const lo = minOf(xs);
    const hi = maxOf(xs);
    layers.push({
      data: { values: [lo, hi].map((x) => ({ x, y: (fit.intercept + fit.slope * x) * 100 })) },
      mark: { type: "line", color: "#17324d", strokeDash: [4, 3] },
      encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
    });
  }
  layers.push({ data: { values: [{ y: 0 }] }, mark: { type: "rule", color: "#999" }, encoding: { y: { field: "y", type: "quantitative" } } });
  layers.push({
    data: { values: pts },
    mark: { type: "point", filled: true, size: 80 },
    encoding: {
      x: { field: "x", type: "quantitative", title: metric, scale: { zero: false } },
      y: { field: "y", type: "quantitative", title: "Δ perplexity on the domain (%)" },
      color: { field: "risk", type: "nominal", scale: { domain: ["low", "medium", "high"], range: [RISK_COLOR.low, RISK_COLOR.medium, RISK_COLOR.high] } },
    },
  });
  layers.push({ data: { values: pts }, mark: { type: "text", dy: -10, fontSize: 11 }, encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" }, text: { field: "domain" } } });
  return { $schema: SCHEMA, width: 720, height: 360, layer: layers } as ChartSpec;
}

async function sweepSections(s: AdaptReportSweep): Promise<Section[]> {
  const scatter = sweepScatter(s);
  const corr = s.correlations.length
    ? table(
        ["distance", "Pearson r", "Spearman ρ", "slope", "intercept", "domains"],
        s.correlations.map((c) => [c.metric, fmt(c.pearson, 3), fmt(c.spearman, 3), fmt(c.slope), fmt(c.intercept), c.n]),
        [false, true, true, true, true, true],
      )
    : html`<p>No domain has both models, so there is no Δperplexity to correlate with.</p>`;
  return [
    {
      title: "Sweep: similarity vs perplexity change",
      intro: thresholdLine(s.thresholds),
      body: html`${scatter ? await chart(scatter, "similarity vs perplexity change") : ""}${corr}`,
    },
    {
      title: "Verdict per domain",
      body: table(
        ["domain", "risk", "coverage", "MMD²", "p", "Fréchet", "KL(d‖r)", "Δ perplexity", "advice"],
        s.domains.map((d) => [
          d.domain,
          riskBadge(d.risk),
          pct(d.similarity.coverage),
          fmt(d.similarity.mmd2),
          fmt(d.similarity.pValue),
          fmt(d.similarity.frechet),
          fmt(d.similarity.klDomainToReference),
          d.deltaPerplexity === undefined ? "–" : pct(d.deltaPerplexity),
          d.advice[0] ?? "",
        ]),
        [false, false, true, true, true, true, true, true, false],
      ),
    },
  ];
}

export async function renderAdaptReport(r: AdaptReportInput): Promise<string> {
  const sections: Section[] = [];
  const risk = r.similarity?.risk;
  if (r.similarity || r.tokens) {
    const advice = adviceFor(risk, analysisOf(r.tokens));
    if (r.tokens?.note) advice.push(r.tokens.note);
    sections.push(verdictSection(risk, r.similarity?.thresholds, advice, r.proxyNote));
  } else if (r.proxyNote) {
    sections.push({ title: "Note", body: html`<p class="warn">${r.proxyNote}</p>` });
  }
  const prefix = r.domain ? `${r.domain}: ` : "";
  if (r.similarity) sections.push(similaritySection(r.similarity, prefix));
  if (r.tokens) pushAll(sections, await tokensSection(r.tokens, prefix));
  if (r.sweep) pushAll(sections, await sweepSections(r.sweep));
  for (const d of r.details ?? []) {
    if (d.similarity) sections.push(similaritySection(d.similarity, `${d.domain}: `));
    if (d.tokens) pushAll(sections, await tokensSection(d.tokens, `${d.domain}: `));
  }
  return renderPage({ title: "datatailor adapt: will continued pretraining help or hurt?", subtitle: r.subtitle, sections, generatedBy: "datatailor adapt" });
}

export async function writeAdaptReport(file: string, r: AdaptReportInput): Promise<void> {
  await writeFileAtomic(file, await renderAdaptReport(r));
}
