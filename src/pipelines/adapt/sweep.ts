/**
 * `adapt sweep`: the paper's picture over many domains. A manifest (CSV/TSV/JSONL, one row per
 * domain) names each domain's data and test split and, optionally, a base and an adapted model:
 *   domain,data,test,base,adapted[,reference]
 * Paths are relative to the manifest. Every domain gets its similarity to the reference; rows with
 * both models get Δperplexity (adapted / base − 1) on their test split. Across those domains:
 * Pearson and Spearman between each distance and Δperplexity, a fitted line, and thresholds
 * calibrated from it (src/models/adapt/verdict.ts); every domain gets a verdict.
 */
import path from "node:path";
import type { Table } from "../../io/table.js";
import { readTable } from "../read-table.js";
import { fitLine, type LineFit } from "../../models/adapt/correlation.js";
import { adviceFor, analysisOf } from "../../models/adapt/advice.js";
import { calibrateThresholds, DEFAULT_THRESHOLDS, riskOf, RISK_METRICS, type Risk, type RiskMetric, type Thresholds } from "../../models/adapt/verdict.js";
import { UserError } from "../../util/errors.js";
import { measureSimilarity, type SimilarityOptions, type SimilarityResult } from "./similarity.js";
import { reportSweep } from "./report.js";
import { runTokens, type TokensOptions, type TokensResult } from "./tokens.js";

export interface ManifestRow {
  domain: string;
  data: string;
  test?: string;
  base?: string;
  adapted?: string;
  reference?: string;
  line: number;
}

export interface SweepOptions extends Omit<SimilarityOptions, "domain" | "reference"> {
  manifest: string;
  reference?: string[];
  tokens?: Pick<TokensOptions, "unit" | "limit">;
}

export interface SweepDomain {
  domain: string;
  similarity: SimilarityResult;
  tokens?: TokensResult;
  /** adapted / base − 1 on the test split (perplexity, or bits per byte across tokenizers) */
  deltaPerplexity?: number;
  risk: Risk;
  advice: string[];
}

export interface SweepResult {
  domains: SweepDomain[];
  thresholds: Thresholds;
  /** Each distance against Δperplexity, over the domains that have both. */
  correlations: Array<{ metric: RiskMetric } & LineFit>;
}

const MODEL_SPEC = /^(ngram|gguf|openai):/;

export function parseManifest(t: Table, dir: string): ManifestRow[] {
  const col = (names: string[]) => names.find((n) => t.columns.includes(n));
  const name = col(["domain", "name"]);
  const data = col(["data", "train"]);
  if (!name || !data) throw new UserError(`${t.source}: the manifest needs a domain column and a data column (has ${t.columns.join(", ")})`);
  const test = col(["test", "test_split", "eval"]);
  const str = (v: unknown) => (v === null || v === undefined || String(v).trim() === "" ? undefined : String(v).trim());
  // model specs keep their scheme; the path after it is resolved like any other path
  const resolve = (p?: string) => (p === undefined ? undefined : path.resolve(dir, p));
  const resolveSpec = (s?: string) => {
    if (s === undefined) return undefined;
    const m = MODEL_SPEC.exec(s);
    if (!m || m[1] === "openai") return s;
    return `${m[1]}:${path.resolve(dir, s.slice(m[0].length))}`;
  };
  const rows = t.rows.map((r, i) => {
    const row: ManifestRow = {
      domain: str(r[name]) ?? "",
      data: resolve(str(r[data])) ?? "",
      test: resolve(test ? str(r[test]) : undefined),
      base: resolveSpec(str(r.base)),
      adapted: resolveSpec(str(r.adapted)),
      reference: resolve(str(r.reference)),
      line: i + 2,
    };
    if (!row.domain || !row.data) throw new UserError(`${t.source} line ${row.line}: a domain name and its data are required`);
    if ((row.base === undefined) !== (row.adapted === undefined)) throw new UserError(`${t.source} line ${row.line}: give both base and adapted models, or neither`);
    if (row.base && !row.test) throw new UserError(`${t.source} line ${row.line}: models need a test split to be scored on`);
    return row;
  });
  if (!rows.length) throw new UserError(`${t.source}: the manifest has no rows`);
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.domain)) throw new UserError(`${t.source} line ${r.line}: domain "${r.domain}" appears twice`);
    seen.add(r.domain);
  }
  return rows;
}

/** Steps: per domain, similarity and (with both models) the pilot's change; thresholds calibrated on them; correlations; a verdict per domain; the report when asked (report.ts). */
export async function runSweep(o: SweepOptions): Promise<SweepResult> {
  const log = o.log ?? (() => {});
  const table = await readTable(o.manifest);
  const rows = parseManifest(table, path.dirname(path.resolve(o.manifest)));
  const partial: Array<Omit<SweepDomain, "risk" | "advice">> = [];
  for (const row of rows) {
    const reference = row.reference ? [row.reference] : o.reference;
    if (!reference?.length) throw new UserError(`${o.manifest} line ${row.line}: no reference data (give --reference or a reference column)`);
    log(`[${row.domain}] similarity to the reference`);
    const similarity = await measureSimilarity({ ...o, domain: [row.data], reference });
    let tokens: TokensResult | undefined;
    if (row.base && row.adapted && row.test) {
      log(`[${row.domain}] scoring ${path.basename(row.test)} with ${row.base} and ${row.adapted}`);
      tokens = await runTokens({ base: row.base, adapted: row.adapted, data: [row.test], top: 50, log, progress: o.progress, strict: o.strict, textField: o.textField, ...o.tokens });
    }
    partial.push({ domain: row.domain, similarity, tokens, deltaPerplexity: tokens?.relativeChange });
  }
  const points = partial
    .filter((d) => d.deltaPerplexity !== undefined)
    .map((d) => ({ distances: distancesOf(d.similarity), deltaPerplexity: d.deltaPerplexity! }));
  const calibrated = calibrateThresholds(points);
  const thresholds = calibrated ?? {
    ...DEFAULT_THRESHOLDS,
    note: `${DEFAULT_THRESHOLDS.note}${points.length ? ` (${points.length} domain${points.length === 1 ? "" : "s"} with Δperplexity; calibration needs at least 3)` : ""}`,
  };
  const correlations: SweepResult["correlations"] = [];
  if (points.length >= 2) {
    for (const metric of RISK_METRICS) {
      const xs = points.map((p) => p.distances[metric]);
      if (xs.every(Number.isFinite)) correlations.push({ metric, ...fitLine(xs, points.map((p) => p.deltaPerplexity)) });
    }
  }
  const domains = partial.map((d) => {
    const risk = riskOf(distancesOf(d.similarity), thresholds);
    // the sweep's thresholds replace each run's defaults, so every panel shows the same verdict
    return { ...d, similarity: { ...d.similarity, risk, thresholds }, risk, advice: adviceFor(risk, analysisOf(d.tokens)) };
  });
  const result: SweepResult = { domains, thresholds, correlations };
  await reportSweep(o, result);
  return result;
}

export function distancesOf(s: SimilarityResult): Record<RiskMetric, number> {
  return { coverage: s.coverage, mmd2: s.mmd2, frechet: s.frechet, klDomainToReference: s.klDomainToReference };
}
