import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli } from "../helpers/cli.js";
import { checkReport, chromiumAvailable } from "../helpers/browser.js";
import { requireTool } from "../helpers/system.js";
import { duckdbPresent, loadDuckdb } from "../helpers/duckdb.js";
import { MT19937 } from "../../src/models/gbdt/mt19937.js";
import { loadModelDb } from "../../src/pipelines/predict/db.js";
import { taskData } from "../../src/pipelines/predict/features.js";
import { resolveFeatures } from "../../src/pipelines/predict/evaluate.js";
import { parseCard, parseVary, readCard } from "../../src/pipelines/predict/card.js";

const INJECT = "<script>globalThis.__injected=1</script>";
let dir: string;

/** A user's own database: 60 models where 1 point of code % is worth ~0.3 accuracy points. */
function writeFixture(d: string): void {
  const rng = new MT19937(3);
  const models = ["id,params,tokens,percentage_code,norm"];
  const results = ["id,benchmark,setting,metric,value"];
  for (let i = 0; i < 60; i++) {
    const params = Math.round(1e8 * Math.exp(rng.random() * 5));
    const tokens = Math.round(20 + rng.random() * 2000);
    const code = rng.random() < 0.15 ? -1 : Math.round(rng.random() * 40);
    const norm = ["rmsnorm", "layernorm", i === 7 ? INJECT : ""][rng.interval(2)];
    models.push(`m${i},${params},${tokens},${code},${JSON.stringify(norm)}`);
    const acc = 0.05 + 0.03 * Math.log(params / 1e8) + 0.02 * Math.log(tokens) + (code >= 0 ? 0.003 * code : 0.06) + 0.01 * (rng.random() - 0.5);
    results.push(`m${i},toy,0-shot,accuracy,${acc.toFixed(5)}`);
    results.push(`m${i},toy2,5-shot,accuracy,${(acc * 0.8).toFixed(5)}`);
  }
  results.push("m1,toy,0-shot,accuracy,not-a-number");
  writeFileSync(path.join(d, "models.csv"), models.join("\n") + "\n");
  writeFileSync(path.join(d, "results.csv"), results.join("\n") + "\n");
  writeFileSync(path.join(d, "card.json"), JSON.stringify({ id: `plan ${INJECT}`, params: 1.3e9, tokens: 300, percentage_code: 20, norm: "rmsnorm" }));
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "dt-predict-"));
  writeFixture(dir);
});

describe("datatailor predict (CLI)", () => {
  it("cv --json on a user database: one JSON document, design features help", async () => {
    const r = await runCli(["predict", "cv", "--db", dir, "--benchmark", "toy", "--features", "all", "--seeds", "2", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ benchmark: "toy", setting: "0-shot", metric: "accuracy", n: 60, seeds: 2, features: ["params", "tokens", "percentage_code", "norm"] });
    for (const k of ["mae_scale_only", "mae_full", "relative_improvement", "p_value", "mae_loglinear", "mae_median"]) expect(typeof j[k]).toBe("number");
    expect(j.mae_full).toBeLessThan(j.mae_scale_only);
    expect(j.relative_improvement).toBeGreaterThan(20);
    expect(r.stderr).toMatch(/rows skipped; first: .*results\.csv:\d+: value 'not-a-number' is not a number/);
  });

  it("predicts a card with an interval and SHAP contributions that add up", async () => {
    const r = await runCli(["predict", "--db", dir, "--model", path.join(dir, "card.json"), "--benchmark", "toy", "--seeds", "2", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.interval[0]).toBeLessThan(p.prediction);
    expect(p.interval[1]).toBeGreaterThan(p.prediction);
    const sum = p.contributions.reduce((s: number, c: { shap: number }) => s + c.shap, 0);
    expect(sum + p.base_value).toBeCloseTo(p.prediction, 5);
    expect(p.contributions.map((c: { feature: string }) => c.feature).sort()).toEqual(["norm", "params", "percentage_code", "tokens"]);
    const text = await runCli(["predict", "--db", dir, "--model", path.join(dir, "card.json"), "--benchmark", "toy", "--seeds", "1"]);
    expect(text.stdout).toMatch(/[+-]\d+\.\d points from percentage_code = 20/);
  });

  it("sweeps a design variable and writes a report that renders without running injected text", async () => {
    const report = path.join(dir, "sweep.html");
    const r = await runCli(["predict", "sweep", "--db", dir, "--model", path.join(dir, "card.json"), "--benchmark", "toy", "--vary", "percentage_code=0..40:10", "--seeds", "1", "--json", "--report", report]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.points.map((p: { value: number }) => p.value)).toEqual([0, 10, 20, 30, 40]);
    expect(s.points[4].prediction).toBeGreaterThan(s.points[0].prediction);
    if (requireTool("chromium", chromiumAvailable())) {
      const page = await checkReport(report);
      expect(page.consoleErrors).toEqual([]);
      expect(page.pageErrors).toEqual([]);
      expect(page.requests).toEqual([]);
      expect(page.scriptRan).toBe(false);
      expect(page.svgCount).toBeGreaterThanOrEqual(2);
      for (const sz of page.svgSizes) expect(sz.width * sz.height).toBeGreaterThan(1000);
      expect(page.bodyText).toContain("Sweep: percentage_code");
    }
  });

  it("cv over several benchmarks reads a DuckDB file and reports Benjamini-Hochberg p-values", async (ctx) => {
    if (!duckdbPresent()) return ctx.skip();
    const { DuckDBInstance } = await loadDuckdb();
    const dbFile = path.join(dir, "models.duckdb");
    const inst = await DuckDBInstance.create(dbFile);
    const con = await inst.connect();
    await con.run(`CREATE TABLE models AS SELECT * FROM read_csv_auto('${path.join(dir, "models.csv")}')`);
    await con.run(`CREATE TABLE results AS SELECT * FROM read_csv_auto('${path.join(dir, "results.csv")}', all_varchar=true)`);
    con.closeSync();
    inst.closeSync();
    const report = path.join(dir, "cv.html");
    const r = await runCli(["predict", "cv", "--db", dbFile, "--benchmark", "toy,toy2", "--features", "percentage_code", "--seeds", "2", "--json", "--report", report]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.map((x: { benchmark: string }) => x.benchmark)).toEqual(["toy", "toy2"]);
    for (const x of j) {
      expect(x.features).toEqual(["params", "tokens", "percentage_code"]);
      expect(x.p_adjusted).toBeGreaterThanOrEqual(x.p_value);
    }
    if (requireTool("chromium", chromiumAvailable())) {
      const page = await checkReport(report);
      expect(page.pageErrors).toEqual([]);
      expect(page.svgCount).toBeGreaterThanOrEqual(3);
    }
  });

  it("fails with one clear line and trustworthy exit codes", async () => {
    const noDb = await runCli(["predict", "cv", "--benchmark", "toy"]);
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toMatch(/--db/);
    const unknown = await runCli(["predict", "cv", "--db", dir, "--benchmark", "nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split("\n").pop()).toMatch(/no results for benchmark 'nope' \(have: toy, toy2\)/);
    const strict = await runCli(["predict", "cv", "--db", dir, "--benchmark", "toy", "--strict"]);
    expect(strict.code).toBe(3);
    expect(strict.stderr).toMatch(/results\.csv:\d+: value 'not-a-number'/);
    const help = await runCli(["predict", "cv", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--features/);
  });
});

describe("input errors name the file or flag (in-process)", () => {
  it("bad feature names, cards and --vary specs", async () => {
    const db = await loadModelDb({ db: dir });
    const task = taskData(db, "toy");
    expect(() => resolveFeatures(db, task, ["depth"])).toThrow(/no feature column 'depth'/);
    writeFileSync(path.join(dir, "bad.json"), "{ params: ");
    expect(() => readCard(path.join(dir, "bad.json"))).toThrow(/bad\.json: not a JSON model card/);
    expect(() => parseCard({ params: 1e9 }, "c.json")).toThrow(/c\.json: 'tokens' must be a positive number/);
    expect(() => parseVary("percentage_code")).toThrow(/--vary must look like/);
    expect(parseVary("x=0..1", 3).values).toEqual([0, 0.5, 1]);
    expect(parseVary("x=1,2,5").values).toEqual([1, 2, 5]);
    expect(db.skipped.some((m) => /results\.csv:\d+: value 'not-a-number' is not a number/.test(m))).toBe(true);
  });

  it("forward selection keeps the informative design feature", async () => {
    const db = await loadModelDb({ db: dir });
    const task = taskData(db, "toy");
    const r = resolveFeatures(db, task, "selected", { selectionSeeds: 2 });
    expect(r.features.slice(0, 3)).toEqual(["params", "tokens", "percentage_code"]);
    expect(r.steps![0].feature).toBe("percentage_code");
    expect(r.steps![0].improvement).toBeGreaterThan(1e-4);
    expect(r.steps![0].mae_after).toBeLessThan(r.steps![0].mae_before);
  });
});
