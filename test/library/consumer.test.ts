/**
 * The package as a user gets it: built and packed (`npm pack`), unpacked into a fresh project
 * whose other dependencies are this repository's node_modules (linked: no network), then used
 * only through its documented entry point "datatailor": a TypeScript consumer type-checks
 * against the published declarations, and a script runs a selection with the pipeline's
 * defaults (`runSelect({ target, corpus, out, keep })`) and a fit on rows in memory. Deep imports
 * are refused by the package's `exports`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "../helpers/cli.js";

const work = mkdtempSync(path.join(os.tmpdir(), "dt-consumer-"));
const pkgDir = path.join(work, "pkg");
const app = path.join(work, "app");
const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");
const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 });

/** The consumer: every import from "datatailor" alone. */
const CONSUMER_TS = `
import { runSelect, runFit, runPredictCard, UserError, EXIT, FastText, SELECT_DEFAULTS, type SelectSummary, type FitSummary, type Law, type LawFit, type ModelDb, type CardPrediction } from "datatailor";

export async function main(demo: string, out: string, predictDb: string): Promise<{ select: SelectSummary; fit: FitSummary; predict: CardPrediction }> {
  const r = await runSelect({ target: [demo + "/targets"], corpus: [demo + "/corpus"], out, keep: 0.2 });
  const kept: number = r.summary.kept; // typed, no cast
  const rows = [1e8, 3e8, 1e9, 3e9, 1e10, 3e10, 1e11].map((x) => ({ x, y: 1.8 + 400 / Math.pow(x, 0.3) }));
  const f = await runFit({ rows, law: "power", x: ["x"], y: "y" });
  const card = { id: "plan", params: 2e9, tokens: 500, fields: {} };
  const p = await runPredictCard({ db: predictDb, benchmark: ["toy"], card, seeds: 2 });
  const err: UserError = new UserError("x", EXIT.usage);
  const law: Law | undefined = undefined;
  const fit: LawFit | undefined = undefined;
  const db: ModelDb | undefined = undefined;
  void [kept, err, law, fit, db, FastText, SELECT_DEFAULTS.method];
  return { select: r.summary, fit: f.summary, predict: p.predictions[0] };
}
`;

const CONSUMER_MJS = `
import { main } from "./consumer.js";
const [demo, out, predictDb] = process.argv.slice(2);
const r = await main(demo, out, predictDb);
let deep = "imported";
try {
  await import("datatailor/src/backends/fasttext/index.js");
} catch (e) {
  deep = e.code;
}
process.stdout.write(JSON.stringify({ select: r.select, fit: r.fit, predict: r.predict, deep }) + "\\n");
`;

let result: { select: { kept: number; read: number; reconciled: boolean; method: string; report?: string; keep: { requested: number } }; fit: { params: Record<string, number> }; predict: { benchmark: string; n: number; coverage: number; features: string[] }; deep: string };

beforeAll(() => {
  // 1. the package as published: built from a copy of the sources, then packed.
  mkdirSync(pkgDir);
  for (const f of ["package.json", "tsconfig.json", "NOTICE", "README.md"]) cpSync(path.join(ROOT, f), path.join(pkgDir, f));
  for (const d of ["src", "data"]) cpSync(path.join(ROOT, d), path.join(pkgDir, d), { recursive: true });
  symlinkSync(path.join(ROOT, "node_modules"), path.join(pkgDir, "node_modules"), "dir");
  run(process.execPath, [TSC, "-p", "tsconfig.json"], pkgDir);
  const tarball = run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", work], pkgDir).trim().split("\n").at(-1)!;

  // 2. a fresh project: the tarball unpacked as node_modules/datatailor, the rest linked.
  const modules = path.join(app, "node_modules");
  mkdirSync(modules, { recursive: true });
  run("tar", ["xzf", path.join(work, tarball), "-C", work], work);
  cpSync(path.join(work, "package"), path.join(modules, "datatailor"), { recursive: true });
  for (const name of readdirSync(path.join(ROOT, "node_modules"))) {
    if (name === "datatailor" || name.startsWith(".")) continue;
    symlinkSync(path.join(ROOT, "node_modules", name), path.join(modules, name), "dir");
  }
  writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  writeFileSync(path.join(app, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, types: ["node"], skipLibCheck: false, outDir: "." }, files: ["consumer.ts"] }));
  writeFileSync(path.join(app, "consumer.ts"), CONSUMER_TS);
  writeFileSync(path.join(app, "main.mjs"), CONSUMER_MJS);

  // 3. type-check and compile the consumer against the published declarations, then run it.
  run(process.execPath, [TSC, "-p", "tsconfig.json"], app);
  const demo = path.join(modules, "datatailor", "data", "demo");
  // a model database of 40 models whose score rises with ln(params) and ln(tokens)
  const db = path.join(work, "db");
  mkdirSync(db);
  const ids = Array.from({ length: 40 }, (_, i) => i);
  writeFileSync(path.join(db, "models.csv"), ["id,params,tokens", ...ids.map((i) => `m${i},${1e8 * (1 + i)},${100 + 37 * ((i * 7) % 40)}`)].join("\n") + "\n");
  writeFileSync(path.join(db, "results.csv"), ["id,benchmark,setting,metric,value", ...ids.map((i) => `m${i},toy,0-shot,accuracy,${(0.03 * Math.log(1 + i) + 0.02 * Math.log(100 + 37 * ((i * 7) % 40))).toFixed(5)}`)].join("\n") + "\n");
  result = JSON.parse(run(process.execPath, ["main.mjs", demo, path.join(work, "sel"), db], app));
}, 600_000);

describe("the packed package, used from a fresh project", () => {
  it("ships the built library and the demo data, not the sources or tests", () => {
    const files = readdirSync(path.join(app, "node_modules/datatailor"), { recursive: true }).map(String);
    expect(files).toContain(path.join("dist", "src", "index.js"));
    expect(files).toContain(path.join("dist", "src", "index.d.ts"));
    expect(files).toContain(path.join("dist", "src", "pipelines", "tasks.js"));
    expect(files.some((f) => f.startsWith("src" + path.sep) || f.startsWith("test" + path.sep))).toBe(false);
  });

  it("runs a selection with the pipeline's defaults from runSelect({ target, corpus, out, keep })", () => {
    const s = result.select;
    expect(s.method).toBe("betr");
    expect(s.keep.requested).toBe(0.2);
    expect(s.read).toBe(3192); // the bundled sample: 3,190 documents and 2 bad lines
    expect(s.kept).toBeGreaterThan(0);
    expect(s.kept).toBeLessThan(s.read);
    expect(s.reconciled).toBe(true);
    expect(existsSync(path.join(work, "sel", "report.html"))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(work, "sel", "stats.json"), "utf8")).steps).toHaveLength(3);
  });

  it("fits a law to rows in memory", () => {
    // y = 1.8 + 400 / x^0.3 exactly: the fit recovers the generating parameters
    expect(result.fit.params.E).toBeCloseTo(1.8, 2);
    expect(result.fit.params.alpha).toBeCloseTo(0.3, 2);
  });

  it("predicts a card from a model database with runPredictCard's defaults", () => {
    expect(result.predict).toMatchObject({ benchmark: "toy", n: 40, coverage: 0.9, features: ["params", "tokens"] });
  });

  it("refuses deep imports: only the documented entry point is exported", () => {
    expect(result.deep).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });
});
