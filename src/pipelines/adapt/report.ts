/**
 * adapt's last step: the HTML report (report/adapt-report.ts), when one was asked for. One
 * function per pipeline, each deciding what its report shows and how its subtitle reads.
 */
import { writeAdaptReport } from "../../report/adapt-report.js";
import type { SimilarityResult } from "./similarity.js";
import type { SweepResult } from "./sweep.js";
import type { TokensResult } from "./tokens.js";

interface ReportStep {
  /** Where to write the report; nothing is written without it. */
  report?: string;
  log?: (m: string) => void;
}

export async function reportSimilarity(o: ReportStep & { domain: string[]; reference: string[] }, s: SimilarityResult): Promise<string | undefined> {
  return write(o, () => writeAdaptReport(o.report!, { similarity: s, subtitle: `${o.domain.join(", ")} vs ${o.reference.join(", ")}` }));
}

export async function reportTokens(o: ReportStep & { data: string[] }, t: TokensResult): Promise<string | undefined> {
  return write(o, () => writeAdaptReport(o.report!, { tokens: t, subtitle: `${t.base.id} → ${t.adapted.id} on ${o.data.join(", ")}` }));
}

export async function reportSweep(o: ReportStep & { manifest: string }, s: SweepResult): Promise<string | undefined> {
  const details = s.domains.map((d) => ({ domain: d.domain, similarity: d.similarity, tokens: d.tokens }));
  return write(o, () => writeAdaptReport(o.report!, { sweep: s, details, subtitle: `sweep of ${s.domains.length} domains from ${o.manifest}` }));
}

/** The demo's report: the verdict panel is the domain at highest risk (closest to the reference); every domain's panels follow the sweep. */
export async function reportDemo(file: string, s: SweepResult, proxyNote: string): Promise<string> {
  const order = { high: 0, medium: 1, low: 2 } as const;
  const focus = [...s.domains].sort((a, b) => order[a.risk] - order[b.risk] || b.similarity.coverage - a.similarity.coverage)[0];
  await writeAdaptReport(file, {
    sweep: s,
    similarity: focus.similarity,
    tokens: focus.tokens,
    domain: focus.domain,
    details: s.domains.filter((d) => d !== focus).map((d) => ({ domain: d.domain, similarity: d.similarity, tokens: d.tokens })),
    proxyNote,
    subtitle: `demo: three domains against Gutenberg prose; first "${focus.domain}", the closest`,
  });
  return file;
}

async function write(o: ReportStep, render: () => Promise<void>): Promise<string | undefined> {
  if (!o.report) return undefined;
  await render();
  o.log?.(`report: ${o.report}`);
  return o.report;
}
