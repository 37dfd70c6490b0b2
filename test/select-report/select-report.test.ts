import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { renderSelectReport, type SelectReportData } from "../../src/report/select-report.js";
import { checkReport, chromiumAvailable, type PageCheck } from "../helpers/browser.js";
import { requireTool } from "../helpers/system.js";
import { EVIL_IMG, EVIL_SCRIPT, syntheticReport } from "./fixture.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "dt-select-report-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function write(data: SelectReportData, name: string): Promise<string> {
  const file = path.join(dir, name);
  writeFileSync(file, await renderSelectReport(data));
  return file;
}

describe("select report HTML", () => {
  it("is one self-contained file: no script, no external reference, a CSP forbidding both", async () => {
    const page = await renderSelectReport(syntheticReport());
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain("default-src 'none'");
    // Boolean checks so a failure does not dump the whole page.
    expect(/<script/i.test(page)).toBe(false);
    expect(/<[a-z][^>]*\son[a-z]+\s*=/i.test(page)).toBe(false);
    expect(/(src|href)\s*=\s*"(https?:)?\/\//i.test(page)).toBe(false);
    expect(/<link\b/i.test(page)).toBe(false);
    // Hostile corpus text and names are present, but only as escaped text.
    expect(page).toContain("&lt;script&gt;globalThis.__injected = 1&lt;/script&gt;");
    expect(page).toContain("&lt;img src=x onerror=");
    expect(page.includes("<b>name</b>")).toBe(false);
    expect(page.includes("<i>id</i>")).toBe(false);
  });

  it("shows the numbers it was given: funnel, keep decision, benchmarks, KL, shards", async () => {
    const d = syntheticReport();
    const page = await renderSelectReport(d);
    // expected strings written out by hand, not with the report's own formatters
    expect(d.funnel.read).toBe(20_037);
    expect(page).toContain("20,037");
    expect(page).toContain("--compute 1e21 FLOPs on the nemotron-cc pool");
    expect(page).toContain("4e-5 * C^0.25 % = 7.113% of tokens");
    expect(d.keep.threshold).toBeCloseTo(0.78456, 5);
    expect(page).toContain("0.7846"); // the threshold to 4 significant digits
    expect(page).toContain("Counts reconcile");
    for (const b of ["arc_easy", "sciq", "openbookqa", "copa"]) expect(page).toContain(b);
    expect(page).toContain("41.0%");
    expect(page).toContain("0.57");
    expect(page).toContain("invalid JSON: Unexpected token");
    expect(page).toContain("c4/en.00001.jsonl.zst");
    // Per-doc scores are shown with their side of the threshold.
    expect(page).toContain("Just above — kept");
    expect(page).toContain("Just below — dropped");
  });

  it("flags counts that do not reconcile instead of hiding them", async () => {
    const d = syntheticReport();
    d.funnel.read += 5;
    d.shards[0].read += 5;
    const page = await renderSelectReport(d);
    expect(page).toContain("Counts do not reconcile");
    expect(page).toContain("off by 5");
    expect(page).toContain("✗");
  });

  it("renders a DSIR run without benchmarks, KL per benchmark, throughput or rejects", async () => {
    const d: SelectReportData = {
      ...syntheticReport(),
      method: "dsir",
      benchmarks: undefined,
      kl: { rawKL: 1, selectedKL: 0.5, reduction: 0.5 },
      throughput: [],
      rejected: { total: 0, byReason: {}, examples: [] },
      keep: { ...syntheticReport().keep, requested: 0.1, source: "keep", compute: undefined },
      funnel: { ...syntheticReport().funnel, rejected: 0, read: 20_000 },
    };
    const page = await renderSelectReport(d);
    expect(page).toContain("DSIR");
    expect(page).not.toContain("Which benchmarks pulled in");
    expect(page).toContain("No input lines were rejected");
    expect(page).toContain("--keep 0.1: keep 10.0% of the tokens");
  });

  it("survives an empty run (zero docs, empty histogram) without NaN", async () => {
    const d: SelectReportData = {
      method: "classifier",
      createdAt: "2026-11-22T00:00:00Z",
      seed: 0,
      keep: { requested: 0.1, by: "docs", source: "percentile", threshold: Number.NaN, achievedTokenFraction: 0, achievedDocFraction: 0 },
      funnel: { read: 0, rejected: 0, scored: 0, kept: 0, dropped: 0, tokensRead: 0, tokensKept: 0 },
      histogram: { edges: [], counts: [] },
      nearThreshold: { above: [], below: [] },
      throughput: [{ stage: "score corpus", docs: 0, seconds: 0 }],
      rejected: { total: 0, byReason: {}, examples: [] },
      shards: [],
    };
    const page = await renderSelectReport(d);
    expect(page).not.toContain("NaN");
    expect(page).not.toContain("Infinity");
    expect(page).toContain("No scores were recorded");
  });

  it("caps very long shard lists but keeps totals over all shards", async () => {
    const d = syntheticReport();
    d.shards = Array.from({ length: 500 }, (_, i) => ({ shard: `s/${String(i).padStart(5, "0")}.jsonl.zst`, read: 10, kept: 1, dropped: 9, rejected: 0 }));
    const page = await renderSelectReport(d);
    expect(page).toContain("Showing 200 of 500 shards");
    expect(page).not.toContain("s/00200.jsonl.zst");
    expect(page).toMatch(/<b>total<\/b><\/td><td class="num">5,000<\/td><td class="num">500<\/td>/);
  });
});

describe.skipIf(!requireTool("chromium", chromiumAvailable()))("select report in headless Chromium", () => {
  let check: PageCheck;
  beforeAll(async () => {
    const file = await write(syntheticReport(), "report.html");
    check = await checkReport(file, { screenshot: !!process.env.DATATAILOR_SCREENSHOT });
    if (check.screenshot && process.env.DATATAILOR_SCREENSHOT) writeFileSync(process.env.DATATAILOR_SCREENSHOT, check.screenshot);
  });

  it("loads from disk with no console errors and no network requests", () => {
    expect(check.consoleErrors).toEqual([]);
    expect(check.pageErrors).toEqual([]);
    expect(check.requests).toEqual([]);
    expect(check.title).toBe("datatailor select — BETR");
  });

  it("draws every plot with a real size", () => {
    // funnel, keep bar, histogram, benchmarks, KL, throughput
    expect(check.svgCount).toBe(6);
    for (const s of check.svgSizes) {
      expect(s.width).toBeGreaterThan(300);
      expect(s.height).toBeGreaterThan(50);
    }
  });

  it("keeps injected script and onerror text inert yet visible as text", () => {
    expect(check.scriptRan).toBe(false);
    expect(check.bodyText).toContain(EVIL_SCRIPT);
    expect(check.bodyText).toContain(EVIL_IMG);
    expect(check.bodyText).toContain("odd/<b>name</b>.jsonl.gz");
  });
});

describe("select report: warnings and where the kept documents came from", () => {
  const withSources = (): SelectReportData => ({
    ...syntheticReport(),
    warnings: [`kept 12.50% of documents where 10.00% was asked (+25.0% relative, beyond ±3%): 500 documents shorter than --min-tokens were masked`, `targets ${EVIL_SCRIPT} come from its test split`],
    masked: 500,
    sources: {
      shards: [
        { name: "web/a.jsonl", read: 1000, kept: 10 },
        { name: "math/b.jsonl.zst", read: 200, kept: 150 },
      ],
      groupBy: "source",
      groups: [
        { name: "arxiv", read: 300, kept: 240 },
        { name: EVIL_IMG, read: 900, kept: 9 },
      ],
    },
  });

  it("puts the warnings in a box at the top, escaped", async () => {
    const page = await renderSelectReport(withSources());
    const warn = page.indexOf("Warnings");
    expect(warn).toBeGreaterThan(0);
    expect(warn).toBeLessThan(page.indexOf("Summary"));
    expect(page).toContain("where 10.00% was asked (+25.0% relative");
    expect(page).toContain("&lt;script&gt;globalThis.__injected = 1&lt;/script&gt; come from its test split");
    expect(page).toContain("masked (shorter than --min-tokens)");
  });

  it("breaks the kept share down by the --group-by field and by shard", async () => {
    const page = await renderSelectReport(withSources());
    expect(page).toContain("Where the kept documents came from");
    expect(page).toContain("By source");
    // arxiv: 240 of 300 kept = 80.0%; the shard math/b: 150 of 200 = 75.0% (written by hand)
    expect(page).toContain("80.0%");
    expect(page).toContain("75.0%");
    expect(page).toContain("&lt;img src=x onerror=");
    expect(/<img src=x/i.test(page)).toBe(false);
  });

  it("says how to get the breakdown when no --group-by was given", async () => {
    const d = withSources();
    const page = await renderSelectReport({ ...d, sources: { shards: d.sources!.shards } });
    expect(page).toContain("--group-by FIELD");
    expect(page).not.toContain("By source");
  });
});
