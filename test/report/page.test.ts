import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chart, renderPage, table } from "../../src/report/page.js";
import { html } from "../../src/report/escape.js";
import { checkReport, chromiumAvailable } from "../helpers/browser.js";
import { requireTool } from "../helpers/system.js";

describe("report page", () => {
  it("escapes interpolated corpus text", () => {
    const evil = `<script>globalThis.__injected = 1</script><img src=x onerror="globalThis.__injected=1">`;
    const out = html`<div>${evil}</div>`.html;
    expect(out).not.toContain("<script>");
    expect(out).not.toContain("<img");
    expect(out).toContain("&lt;script&gt;");
  });

  it.skipIf(!requireTool("chromium", chromiumAvailable()))("renders a chart and inert corpus text in Chromium without errors", async () => {
    const evil = `<script>globalThis.__injected = 1</script><img src=x onerror="globalThis.__injected=1">`;
    const svg = await chart(
      {
        data: { values: [{ x: 1, y: 2 }, { x: 2, y: 3 }, { x: 3, y: 5 }] },
        mark: "line",
        encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
        width: 300,
        height: 200,
      },
      "test chart",
    );
    const page = renderPage({
      title: "Report <test>",
      sections: [
        { title: "Chart", body: svg },
        { title: "Docs", body: table(["doc"], [[evil]]) },
      ],
    });
    const dir = mkdtempSync(path.join(tmpdir(), "dt-report-"));
    const file = path.join(dir, "r.html");
    writeFileSync(file, page);
    const check = await checkReport(file);
    expect(check.consoleErrors).toEqual([]);
    expect(check.pageErrors).toEqual([]);
    expect(check.requests).toEqual([]);
    expect(check.scriptRan).toBe(false);
    expect(check.svgCount).toBeGreaterThanOrEqual(1);
    expect(check.svgSizes[0].width).toBeGreaterThan(100);
    expect(check.title).toBe("Report <test>");
    expect(check.bodyText).toContain("<script>globalThis.__injected = 1</script>");
  });
});
