/** The tune eval report: renders its charts in headless Chromium and keeps names from files inert. */
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeTuneReport } from "../../src/report/tune-report.js";
import type { EvalResult } from "../../src/pipelines/tune/eval.js";
import { checkReport, chromiumAvailable } from "../helpers/browser.js";

const EVIL = `<img src=x onerror="globalThis.__injected=1">`;

function result(): EvalResult {
  const tests = [
    { name: "xsum", domain: "in" as const },
    { name: `cnn${EVIL}`, domain: "out" as const },
    { name: "xlsum", domain: "out" as const },
  ];
  const models = ["base", "ft", `fticl<script>globalThis.__injected=1</script>`];
  const cells = models.flatMap((m, mi) => tests.flatMap((t, ti) => [0, 2].map((shots) => ({ model: m, test: t.name, domain: t.domain, shots, n: 250, score: 10 + mi * 3 + ti - shots, method: "generate-rouge" as const }))));
  return {
    task: "summary",
    kind: "generation",
    metric: "rougeL",
    labels: null,
    template: "### Input:\n{input}\n### Summary:",
    limit: 250,
    shots: [0, 2],
    models: models.map((m) => ({ name: m, id: `gguf:/m/${m}.gguf`, methods: Object.fromEntries(tests.map((t) => [t.name, "generate-rouge" as const])) })),
    tests: tests.map((t) => ({ ...t, items: 250, fewShot: null })),
    cells,
    comparisons: [{ a: "ft", b: "base", test: `cnn${EVIL}`, shots: 0, diff: 3, lo: 1.2, hi: 4.9, pNotBetter: 0.001, n: 250, resamples: 2000 }],
    gains: [{ model: "ft", shots: 0, base: "base", inDomain: 3, outOfDomain: 3.5, outTests: 2 }],
    cache: { dir: null, hits: 0, writes: 0 },
    seconds: 1,
    badInput: { total: 0, byReason: {}, byFile: {}, examples: [] },
  };
}

describe("tune report", () => {
  it("heat-map and gain chart render; in-domain column marked; injected names stay text", async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "tune-report-")), "r.html");
    await writeTuneReport(file, result());
    const htmlText = readFileSync(file, "utf8");
    expect(htmlText).not.toMatch(/<script>globalThis/);
    expect(htmlText).not.toMatch(/<img src=x/);
    expect(htmlText).toMatch(/★ xsum \(in\)/);
    if (!chromiumAvailable()) return;
    const page = await checkReport(file);
    expect(page.scriptRan).toBe(false);
    expect(page.requests).toEqual([]);
    expect(page.pageErrors).toEqual([]);
    expect(page.consoleErrors).toEqual([]);
    expect(page.svgCount).toBe(2);
    for (const s of page.svgSizes) expect(s.width * s.height).toBeGreaterThan(10_000);
    expect(page.bodyText).toContain("ft − base");
    expect(page.bodyText).toContain("better");
  }, 60_000);
});
