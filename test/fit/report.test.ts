/**
 * Issue 12 item 10: a Chinchilla fit whose compute-optimal allocation is undefined is still a
 * fit (parameters printed, --json too, a warning instead of an exit 1), and the fit report
 * draws what it says: --label names, legend entries only for drawn things, log ticks as 1e18,
 * the --predict and compute-optimal points; a non-monotone metric at chance is named.
 * Points are passed in memory (runFit's `rows`), which is also tested here.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runFit } from "../../src/pipelines/fit/run.js";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "dt-fit-report-"));

/** Loss falls with D and rises slowly with N: the fit needs alpha < 0, so no allocation exists. */
function risingInN(): Array<Record<string, number>> {
  const rows: Array<Record<string, number>> = [];
  for (const N of [1e7, 1e8, 1e9, 1e10]) for (const D of [1e9, 1e10, 1e11, 1e12]) rows.push({ N, D, loss: 1.7 + 400 / Math.pow(D, 0.3) + 0.05 * Math.pow(N / 1e7, 0.1) });
  return rows;
}

/** Points of the law E + A/N^0.34 + B/D^0.28 (alpha, beta > 0), named run-0 ... run-15. */
function chinchillaRows(): Array<Record<string, number | string>> {
  const rows: Array<Record<string, number | string>> = [];
  for (const N of [1e7, 1e8, 1e9, 1e10]) for (const D of [2e9, 2e10, 2e11, 2e12]) rows.push({ name: `run-${rows.length}`, N, D, loss: 1.69 + 406.4 / Math.pow(N, 0.34) + 410.7 / Math.pow(D, 0.28) });
  return rows;
}

/** The visible texts of an SVG (axis labels, legend, point names). */
function svgTexts(html: string): string[] {
  return [...html.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

describe("fit keeps a good fit when the allocation is undefined", () => {
  it("returns the parameters and warns instead of failing", async () => {
    const report = path.join(dir, "rising.html");
    const run = await runFit({ rows: risingInN(), law: "chinchilla", x: ["N", "D"], y: "loss", compute: [1e21], threads: 1, report });
    const s = run.summary;
    expect(s.params.alpha).toBeLessThanOrEqual(0);
    expect(s.allocation).toEqual([]);
    expect(s.warnings.join("\n")).toMatch(/no compute-optimal allocation: it needs alpha > 0 and beta > 0/);
    // the fit itself is good: the residuals are small against loss ~2
    expect(Math.max(...run.plot.points.map((p) => Math.abs(p.residual)))).toBeLessThan(0.01);
    expect(run.plot.curve).toEqual([]);
    expect(readFileSync(report, "utf8")).toContain("No compute-optimal frontier is drawn");
  }, 120_000);

  it("the CLI prints the parameters with --json and exits 0", async () => {
    const csv = path.join(dir, "rising.csv");
    writeFileSync(csv, ["N,D,loss", ...risingInN().map((r) => `${r.N},${r.D},${r.loss}`)].join("\n") + "\n");
    const r = await runCli(["fit", csv, "--law", "chinchilla", "--x", "N", "--x", "D", "--y", "loss", "--compute", "1e21", "--threads", "1", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j.params).sort()).toEqual(["A", "B", "E", "alpha", "beta"]);
    expect(j.allocation).toEqual([]);
    expect(r.stderr).toMatch(/warning: no compute-optimal allocation/);
  }, 120_000);
});

describe("fit report", () => {
  it("names points, draws the prediction and the compute-optimal point, legends only what is drawn, ticks as 1e18", async () => {
    const report = path.join(dir, "chin.html");
    await runFit({ rows: chinchillaRows(), law: "chinchilla", x: ["N", "D"], y: "loss", label: "name", compute: [1e21], predict: [{ N: 7e10, D: 1.4e12 }], threads: 1, report });
    const texts = svgTexts(readFileSync(report, "utf8"));
    for (const name of ["run-0", "run-7", "run-15"]) expect(texts).toContain(name);
    expect(texts).toContain("prediction (--predict)");
    expect(texts).toContain("compute-optimal (N*, D*)");
    expect(texts).toContain("fitted on");
    expect(texts).not.toContain("held out"); // nothing was held out
    const ticks = texts.filter((t) => /^\d(\.\d+)?e[+-]?\d+$/.test(t));
    expect(ticks.length).toBeGreaterThan(2);
    expect(ticks.filter((t) => t.includes("e+"))).toEqual([]);
    expect(ticks).toContain("1e21");
  }, 120_000);

  it("says when a non-monotone metric sits at chance", async () => {
    // 4-way multiple choice at 0.25 give or take noise, up and down with scale
    const acc = [0.251, 0.262, 0.248, 0.259, 0.243, 0.256, 0.249, 0.261];
    const rows = acc.map((y, i) => ({ x: 10 ** (7 + i / 2), acc: y }));
    const at = await runFit({ rows, law: "power", x: ["x"], y: "acc", chance: 0.25, threads: 1 });
    expect(at.summary.warnings.join("\n")).toMatch(/every point sits at chance \(0\.25 ± 0\.02\)/);
    const away = await runFit({ rows: rows.map((r, i) => ({ ...r, acc: r.acc + (i === 7 ? 0.2 : 0) })), law: "power", x: ["x"], y: "acc", chance: 0.25, threads: 1 });
    expect(away.summary.warnings.join("\n")).not.toMatch(/sits at chance/);
  }, 60_000);
});
