/**
 * Cards are checked against the database: an unknown field is an error naming the closest
 * column; raw tokens where the database counts billions is caught by range; a card outside the
 * training data's range gets a warning (CLI text, JSON, report) and its interval is marked not
 * valid, in predictions and in sweeps.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli, SHARED_DATA } from "../helpers/cli.js";
import { MT19937 } from "../../src/models/gbdt/mt19937.js";
import { loadModelDb } from "../../src/pipelines/predict/db.js";
import { parseCard } from "../../src/pipelines/predict/card.js";
import { closest, editDistance, extrapolations, validateCard } from "../../src/pipelines/predict/validate.js";
import { makeEncoder } from "../../src/pipelines/predict/features.js";

let dir: string;

/** 60 models: params 1e8..1.5e10, tokens 20..2020 (billions), percentage_code 0..40. */
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "dt-card-"));
  const rng = new MT19937(5);
  const models = ["id,params,tokens,percentage_code,norm"];
  const results = ["id,benchmark,setting,metric,value"];
  for (let i = 0; i < 60; i++) {
    const params = Math.round(1e8 * Math.exp(rng.random() * 5));
    const tokens = Math.round(20 + rng.random() * 2000);
    const code = Math.round(rng.random() * 40);
    models.push(`m${i},${params},${tokens},${code},${i % 2 ? "rmsnorm" : "layernorm"}`);
    results.push(`m${i},toy,0-shot,accuracy,${(0.05 + 0.03 * Math.log(params / 1e8) + 0.02 * Math.log(tokens) + 0.003 * code).toFixed(5)}`);
  }
  writeFileSync(path.join(dir, "models.csv"), models.join("\n") + "\n");
  writeFileSync(path.join(dir, "results.csv"), results.join("\n") + "\n");
});

const card = (o: object, name: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, JSON.stringify(o));
  return f;
};

describe("card validation", () => {
  it("edit distance and closest name", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("Percentage_Code", "percentage_code")).toBe(0);
    expect(closest("percentage_cod", ["params", "tokens", "percentage_code", "norm"])).toBe("percentage_code");
  });

  it("unknown fields and unit mismatches are errors; in-range cards pass", async () => {
    const db = await loadModelDb({ db: dir }, {});
    expect(() => validateCard(db, parseCard({ params: 1e9, tokens: 300, percentage_cod: 20 }))).toThrow(/unknown field 'percentage_cod'; did you mean 'percentage_code'\?/);
    expect(() => validateCard(db, parseCard({ params: 1e9, tokens: 3e11 }))).toThrow(/tokens = 3\.00e\+11 is .*x the largest in the database .*unit/);
    expect(() => validateCard(db, parseCard({ params: 1e3, tokens: 300 }))).toThrow(/params = 1000 is 1\/.* of the smallest/);
    expect(() => validateCard(db, parseCard({ params: 1e9, tokens: 300, percentage_code: 20, norm: "rmsnorm" }))).not.toThrow();
  });

  it("lists each numeric feature outside the training range", async () => {
    const db = await loadModelDb({ db: dir }, {});
    const enc = makeEncoder(db, ["params", "tokens", "percentage_code", "norm"]);
    const ex = extrapolations(enc, db.models, parseCard({ params: 1e12, tokens: 300, percentage_code: 80, norm: "rmsnorm" }));
    expect(ex.map((e) => e.feature)).toEqual(["params", "percentage_code"]);
    expect(ex[1]).toMatchObject({ value: 80, min: 0 });
    expect(ex[1]!.max).toBeLessThanOrEqual(40);
    expect(extrapolations(enc, db.models, parseCard({ params: 1e9, tokens: 300, percentage_code: 20 }))).toEqual([]);
  });

  it("CLI: a typo exits 1 with the suggestion; raw tokens on the NJSL export are caught", async () => {
    const typo = await runCli(["predict", "--db", dir, "--model", card({ params: 1e9, tokens: 300, percentage_cod: 20 }, "typo.json"), "--benchmark", "toy", "--seeds", "1"]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/did you mean 'percentage_code'/);
    const raw = await runCli(["predict", "--db", path.join(SHARED_DATA, "scaling/njsl"), "--model", card({ params: 1.3e9, tokens: 3e11 }, "raw.json"), "--benchmark", "arc_challenge", "--seeds", "1"]);
    expect(raw.code, raw.stderr).toBe(1);
    expect(raw.stderr).toMatch(/tokens = 3\.00e\+11 .*billions/);
    expect(raw.stdout).toBe("");
  }, 120_000);

  it("CLI: a card outside the training data warns, and its interval is marked not valid (text, JSON, report, sweep)", async () => {
    const out = card({ id: "far", params: 1e9, tokens: 300, percentage_code: 80, norm: "rmsnorm" }, "far.json");
    const report = path.join(dir, "far.html");
    const j = await runCli(["predict", "--db", dir, "--model", out, "--benchmark", "toy", "--seeds", "1", "--json", "--report", report]);
    expect(j.code, j.stderr).toBe(0);
    const p = JSON.parse(j.stdout);
    expect(p.interval_valid).toBe(false);
    expect(p.extrapolated.map((e: { feature: string }) => e.feature)).toEqual(["percentage_code"]);
    expect(p.warnings[0]).toMatch(/percentage_code = 80 is outside the training models' range/);
    expect(j.stderr).toMatch(/warning: toy: percentage_code = 80/);
    const html = readFileSync(report, "utf8");
    expect(html).toContain("NOT VALID: extrapolation");
    expect(html).toMatch(/class="warn".*percentage_code = 80/s);

    const text = await runCli(["predict", "--db", dir, "--model", out, "--benchmark", "toy", "--seeds", "1"]);
    expect(text.stdout).toMatch(/NOT VALID: outside the training data in percentage_code/);

    const inside = await runCli(["predict", "--db", dir, "--model", card({ params: 1e9, tokens: 300, percentage_code: 20, norm: "rmsnorm" }, "in.json"), "--benchmark", "toy", "--seeds", "1", "--json"]);
    expect(JSON.parse(inside.stdout)).toMatchObject({ interval_valid: true, warnings: [] });

    const sw = await runCli(["predict", "sweep", "--db", dir, "--model", out, "--benchmark", "toy", "--vary", "percentage_code=0..80:20", "--seeds", "1", "--json"]);
    expect(sw.code, sw.stderr).toBe(0);
    const pts = JSON.parse(sw.stdout).points as Array<{ value: number; interval_valid: boolean }>;
    expect(pts.map((x) => [x.value, x.interval_valid])).toEqual([[0, true], [20, true], [40, false], [60, false], [80, false]].map(([v, ok]) => [v, v === 40 ? pts[2]!.interval_valid : ok]));
    expect(pts.filter((x) => x.value > 40).every((x) => !x.interval_valid)).toBe(true);
  }, 180_000);
});
