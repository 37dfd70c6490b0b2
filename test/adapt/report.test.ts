/**
 * `demo adapt` end to end, and its report in headless Chromium: every panel renders (similarity,
 * histogram of per-token deltas, class bars, top tokens with contexts, sweep scatter), no script,
 * no network, corpus text inert.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT, runCli } from "../helpers/cli.js";
import { checkReport, chromiumAvailable } from "../helpers/browser.js";
import { renderAdaptReport } from "../../src/report/adapt-report.js";
import { attributeTokens } from "../../src/models/adapt/attribution.js";
import { tmpDir } from "./fixtures.js";
import type { TokensResult } from "../../src/pipelines/adapt/tokens.js";

interface DemoJson {
  proxy: string;
  thresholds: { source: string; metric: string };
  correlations: Array<{ metric: string; pearson: number; spearman: number; n: number }>;
  domains: Array<{ domain: string; risk: string; coverage: number; mmd2: number; perplexityBase: number; perplexityAdapted: number; deltaPerplexity: number }>;
  report: string;
  seconds: number;
}

describe("demo adapt and its report", () => {
  let out: string;
  let demo: DemoJson;
  beforeAll(async () => {
    out = path.join(tmpDir(), "demo");
    const r = await runCli(["demo", "adapt", "--out", out, "--json"]);
    if (r.code !== 0) throw new Error(r.stderr);
    demo = JSON.parse(r.stdout) as DemoJson;
  }, 600_000); // ~15 s of CPU; minutes on a loaded shared machine

  it("runs the sweep on the bundled sample with n-gram pilots, labelled as a proxy", () => {
    expect(demo.proxy).toMatch(/proxy/);
    expect(demo.domains.map((d) => d.domain)).toEqual(["novels", "plays", "speeches"]);
    expect(existsSync(path.join(out, "domains.csv"))).toBe(true);
    expect(existsSync(path.join(out, "models", "reference.o3.arpa"))).toBe(true);
    for (const d of demo.domains) {
      expect(d.deltaPerplexity).toBeCloseTo(d.perplexityAdapted / d.perplexityBase - 1, 12);
      expect(["low", "medium", "high"]).toContain(d.risk);
    }
    // held-out books by the reference's own authors are the closest domain
    const novels = demo.domains.find((d) => d.domain === "novels")!;
    for (const d of demo.domains.filter((x) => x.domain !== "novels")) {
      expect(novels.mmd2).toBeLessThan(d.mmd2);
      expect(novels.coverage).toBeGreaterThanOrEqual(d.coverage);
    }
    expect(demo.thresholds.source).toBe("calibrated");
    expect(demo.correlations.map((c) => c.metric)).toEqual(["coverage", "mmd2", "frechet", "klDomainToReference"]);
    expect(demo.report).toBe(path.join(out, "report.html"));
  });

  it("thresholds calibrated by the sweep carry over to a later similarity run", async () => {
    const saved = path.join(out, "sweep.json");
    writeFileSync(saved, JSON.stringify(demo));
    const data = path.join(ROOT, "data/demo/adapt");
    const r = await runCli(["adapt", "similarity", "--domain", path.join(data, "domains/novels"), "--reference", path.join(data, "reference"), "--thresholds", saved, "--json"]);
    if (r.code !== 0) throw new Error(r.stderr);
    const j = JSON.parse(r.stdout) as { risk: string; mmd2: number; thresholds: { source: string; metric: string; note: string } };
    expect(j.thresholds).toMatchObject({ source: "calibrated", metric: demo.thresholds.metric });
    expect(j.thresholds.note).toContain("read from");
    const novels = demo.domains.find((d) => d.domain === "novels")!;
    expect(j.mmd2).toBe(novels.mmd2);
    expect(j.risk).toBe(novels.risk);
    const bad = path.join(out, "bad.json");
    writeFileSync(bad, "{}");
    const e = await runCli(["adapt", "similarity", "--domain", path.join(data, "domains/novels"), "--reference", path.join(data, "reference"), "--thresholds", bad]);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/no thresholds found/);
  }, 600_000);

  it.skipIf(!chromiumAvailable())("the report renders every panel in Chromium, with no script and no network", async () => {
    const check = await checkReport(demo.report);
    expect(check.consoleErrors).toEqual([]);
    expect(check.pageErrors).toEqual([]);
    expect(check.requests).toEqual([]);
    expect(check.scriptRan).toBe(false);
    // delta histogram, class bars, sweep scatter
    expect(check.svgCount).toBeGreaterThanOrEqual(3);
    for (const s of check.svgSizes) expect(s.width).toBeGreaterThan(200);
    for (const heading of ["Verdict", "Similarity to the reference data", "Where the change sits", "Most degraded tokens, in context", "Sweep: similarity vs perplexity change", "Verdict per domain"]) {
      expect(check.bodyText).toContain(heading);
    }
    expect(check.bodyText).toMatch(/proxy that shows the mechanics/);
    expect(check.bodyText).toContain("⟦");
    // every domain has its panels
    for (const d of ["novels", "plays", "speeches"]) expect(check.bodyText).toContain(`${d}: Where the change sits`);
  });

  it.skipIf(!chromiumAvailable())("corpus text in token contexts stays inert", async () => {
    const evil = `<script>globalThis.__injected = 1</script><img src=x onerror="globalThis.__injected=1">`;
    const text = `a ${evil} b`;
    const toks = (lps: number[]) => {
      const words = text.split(" ");
      let pos = 0;
      const tokens = words.map((w, i) => {
        const start = Buffer.byteLength(text.slice(0, pos));
        pos += w.length + 1;
        return { token: w, start, end: start + Buffer.byteLength(w), logprob: lps[i] };
      });
      const len = Buffer.byteLength(text);
      tokens.push({ token: "</s>", start: len, end: len, logprob: lps[words.length] });
      return { tokens };
    };
    const n = text.split(" ").length + 1;
    const att = attributeTokens([text], [toks(Array(n).fill(-1))], [toks(Array(n).fill(-2))]);
    const model = { id: "ngram:x", tokenizer: "whitespace+eos", perplexity: 1, bitsPerByte: 1, tokens: n };
    // typed as the pipeline's result: the report's own input type must accept it
    const tokens: TokensResult = { base: model, adapted: model, unit: "line", texts: 1, bytes: 10, comparison: "tokens", relativeChange: 0, ...att, tokenTypes: att.tokens.length, advice: [], badInput: { total: 0, byReason: {}, byFile: {}, examples: [] } };
    const page = await renderAdaptReport({ tokens });
    const file = path.join(tmpDir(), "evil.html");
    writeFileSync(file, page);
    const check = await checkReport(file);
    expect(check.scriptRan).toBe(false);
    expect(check.pageErrors).toEqual([]);
    // the tokens and their contexts are shown as text
    expect(check.bodyText).toContain("<script>globalThis.__injected");
    expect(check.bodyText).toContain('onerror="globalThis.__injected=1">');
  });
});
