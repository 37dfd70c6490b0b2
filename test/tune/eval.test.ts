/**
 * tune eval end to end: against a local server that answers like vLLM (prompt log-probabilities)
 * and like llama.cpp's server (no echo), and against tiny GGUF models run in-process. All three
 * "models" are the tiny character chain of test/lm/tiny-gguf.ts (different seeds), so greedy
 * outputs and label choices are computed here from the weights, not by the code under test.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendStatus } from "../../src/util/optional.js";
import { runCli } from "../helpers/cli.js";
import { checkReport, chromiumAvailable } from "../helpers/browser.js";
import { DEBIAN_PYTHON, hasTool, requireTool } from "../helpers/system.js";
import { DEFAULT_TINY, TinyModel } from "../lm/tiny-gguf.js";
import { CharModel, startServer, type RunningServer } from "./vllm-like-server.js";

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "tune-eval-"));
const SEEDS = { base: 7, ft: 8, fticl: 9 } as const;
const models = Object.fromEntries(Object.entries(SEEDS).map(([k, seed]) => [k, new CharModel(new TinyModel({ ...DEFAULT_TINY, seed }))])) as Record<keyof typeof SEEDS, CharModel>;

// Test sets over the tiny vocabulary ("abcdefgh .\n"): inputs end in different letters so the
// first-order chain continues differently per item.
const WORDS = ["bad", "cafe", "face", "bead", "hag", "fed", "dab", "gab", "egg", "add", "head", "ace"];
function items(seed: number, n: number, outputs: (input: string, i: number) => string) {
  return Array.from({ length: n }, (_, i) => {
    const input = `${WORDS[(i * 5 + seed) % WORDS.length]} ${WORDS[(i * 7 + seed * 3) % WORDS.length]}`;
    return { input, output: outputs(input, i) };
  });
}
const LABELS = ["ab", "he"];

/**
 * Generation references: the ft model's own greedy output for every third item, the base model's
 * for the next, a fixed phrase otherwise, so the models score differently. Labels alternate.
 */
function writeSets(dir: string, kind: "generation" | "classification", sizes = [14, 12, 10]) {
  const out = (input: string, i: number) =>
    kind === "classification" ? LABELS[i % 2] : i % 3 === 0 ? models.ft.greedy(input, 60, ["\n\n"]).trim() : i % 3 === 1 ? models.base.greedy(input, 60, ["\n\n"]).trim() + " ag" : "a bad face";
  const sets: Record<string, { test: Array<{ input: string; output: string }>; shots: Array<{ input: string; output: string }> }> = {
    alpha_test: { test: items(1, sizes[0], out), shots: items(5, 2, out) },
    beta_test: { test: items(2, sizes[1], out), shots: items(6, 2, out) },
    gamma_test: { test: items(3, sizes[2], out), shots: items(7, 2, out) },
  };
  const files: Record<string, { test: string; shots: string }> = {};
  for (const [name, s] of Object.entries(sets)) {
    const test = path.join(dir, `${name}.json`);
    const shots = path.join(dir, `${name}_shots.jsonl`);
    writeFileSync(test, JSON.stringify(s.test));
    writeFileSync(shots, s.shots.map((r) => JSON.stringify(r)).join("\n") + "\n");
    files[name] = { test, shots };
  }
  return { sets, files };
}

const testsArg = (files: Record<string, { test: string; shots: string }>) =>
  Object.entries(files)
    .map(([, f], i) => `${i === 0 ? "in" : "out"}:${f.test}+${f.shots}`)
    .join(",");

/** The paper's prompt for template "{input}" with k demos: Σ (d.input + d.output + "\n\n") + x.input. */
const prompt = (x: { input: string }, shots: Array<{ input: string; output: string }>, k: number) => shots.slice(0, k).map((d) => d.input + d.output + "\n\n").join("") + x.input;

/** ROUGE-L F of many pairs by the independent Python implementation (rouge_peer.py). */
function pyRouge(pairs: Array<{ target: string; prediction: string }>): number[] {
  const out = execFileSync(DEBIAN_PYTHON, [path.join(__dirname, "rouge_peer.py")], { input: pairs.map((p) => JSON.stringify(p)).join("\n") + "\n" });
  return out.toString().trimEnd().split("\n").map((l) => (JSON.parse(l) as { f: number }).f);
}

/** Expected mean score (points) of one model on one test set at k shots. */
function expectedScore(kind: "generation" | "classification", m: CharModel, set: { test: Array<{ input: string; output: string }>; shots: Array<{ input: string; output: string }> }, k: number, method: "loglik" | "generate", maxTokens = 60): number {
  if (kind === "generation") {
    const preds = set.test.map((x) => m.greedy(prompt(x, set.shots, k), maxTokens, ["\n\n"]).trim());
    const f = pyRouge(set.test.map((x, i) => ({ target: x.output, prediction: preds[i] })));
    return (100 * f.reduce((a, b) => a + b, 0)) / f.length;
  }
  let correct = 0;
  for (const x of set.test) {
    const p = prompt(x, set.shots, k);
    let choice: string | undefined;
    if (method === "loglik") {
      const ll = LABELS.map((l) => m.continuation(p, l));
      choice = LABELS[ll.indexOf(Math.max(...ll))];
    } else {
      const words = m.greedy(p, 8, ["\n"]).trim().toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
      choice = LABELS.find((l) => words[0] === l);
    }
    if (choice === x.output) correct++;
  }
  return (100 * correct) / set.test.length;
}

describe("tune eval against a local server that answers like vLLM and like llama.cpp", () => {
  const servers: Record<string, RunningServer> = {};
  beforeAll(async () => {
    for (const [name, m] of Object.entries(models)) servers[`vllm-${name}`] = await startServer(m, "vllm");
    for (const [name, m] of Object.entries(models)) servers[`llamacpp-${name}`] = await startServer(m, "llamacpp");
  });
  afterAll(async () => {
    for (const s of Object.values(servers)) await s.close();
  });
  const modelsArg = (mode: "vllm" | "llamacpp") => Object.keys(SEEDS).map((n) => `${n}=openai:${servers[`${mode}-${n}`].url}#tiny`).join(",");

  it("generation: greedy outputs scored with ROUGE-L, every cell as computed from the weights; resumes from the cache", async () => {
    if (!requireTool("python3", hasTool(DEBIAN_PYTHON))) return;
    const dir = tmp();
    const { sets, files } = writeSets(dir, "generation");
    const report = path.join(dir, "report.html");
    const args = ["tune", "eval", "--template", "{input}", "--kind", "generation", "--models", modelsArg("vllm"), "--tests", testsArg(files), "--shots", "0,2", "--limit", "250", "--json", "--report", report];
    const env = { XDG_CACHE_HOME: path.join(dir, "xdg") };
    const r = await runCli(args, { env });
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.cells).toHaveLength(3 * 3 * 2);
    for (const c of res.cells) {
      const want = expectedScore("generation", models[c.model as keyof typeof SEEDS], sets[c.test] as never, c.shots, "loglik");
      expect(c.score, `${c.model} ${c.test} ${c.shots}`).toBeCloseTo(want, 10);
      expect(c.method).toBe("generate-rouge");
    }
    // the three models disagree somewhere, so the matrix is not trivially flat
    expect(new Set(res.cells.map((c: { score: number }) => c.score.toFixed(6))).size).toBeGreaterThan(3);
    expect(res.comparisons.map((c: { a: string; b: string }) => `${c.a}-${c.b}`)).toEqual(Array(6).fill("ft-base").concat(Array(6).fill("fticl-ft")));
    for (const c of res.comparisons) {
      const a = res.cells.find((x: { model: string; test: string; shots: number }) => x.model === c.a && x.test === c.test && x.shots === c.shots).score;
      const b = res.cells.find((x: { model: string; test: string; shots: number }) => x.model === c.b && x.test === c.test && x.shots === c.shots).score;
      expect(c.diff).toBeCloseTo(a - b, 9);
      expect(c.lo).toBeLessThanOrEqual(c.diff + 1e-9);
      expect(c.hi).toBeGreaterThanOrEqual(c.diff - 1e-9);
    }
    const gain = res.gains.find((g: { model: string; shots: number }) => g.model === "ft" && g.shots === 0);
    const cell = (m: string, t: string) => res.cells.find((x: { model: string; test: string; shots: number }) => x.model === m && x.test === t && x.shots === 0).score;
    expect(gain.inDomain).toBeCloseTo(cell("ft", "alpha_test") - cell("base", "alpha_test"), 9);
    expect(gain.outOfDomain).toBeCloseTo((cell("ft", "beta_test") - cell("base", "beta_test") + cell("ft", "gamma_test") - cell("base", "gamma_test")) / 2, 9);

    // a second run is answered from the backend's response cache: no generation request reaches the servers
    const before = Object.values(servers).reduce((a, s) => a + s.counts.generate, 0);
    const again = await runCli(args, { env });
    expect(again.code).toBe(0);
    expect(Object.values(servers).reduce((a, s) => a + s.counts.generate, 0)).toBe(before);
    expect(JSON.parse(again.stdout).cells).toEqual(res.cells);

    if (chromiumAvailable()) {
      const page = await checkReport(report);
      expect(page.pageErrors).toEqual([]);
      expect(page.consoleErrors).toEqual([]);
      expect(page.requests).toEqual([]);
      expect(page.svgCount).toBeGreaterThanOrEqual(2);
      for (const s of page.svgSizes) expect(s.width * s.height).toBeGreaterThan(100);
      expect(page.bodyText).toMatch(/Generalisation matrix/);
      expect(page.bodyText).toMatch(/Paired bootstrap 95% intervals/);
      expect(readFileSync(report, "utf8")).toMatch(/★ alpha_test \(in\)/);
    }
  }, 120_000);

  it("classification: label log-likelihood through vLLM's echo; greedy label through llama.cpp's server, which refuses echo", async () => {
    const dir = tmp();
    const { sets, files } = writeSets(dir, "classification");
    const env = { XDG_CACHE_HOME: path.join(dir, "xdg") };
    for (const mode of ["vllm", "llamacpp"] as const) {
      const r = await runCli(
        ["tune", "eval", "--template", "{input}", "--kind", "classification", "--labels", LABELS.join(","), "--models", modelsArg(mode), "--tests", testsArg(files), "--shots", "0,1", "--json", "--predictions", path.join(dir, `${mode}.jsonl`)],
        { env },
      );
      expect(r.code, r.stderr).toBe(0);
      const res = JSON.parse(r.stdout);
      const method = mode === "vllm" ? "loglik" : "generate";
      for (const c of res.cells) {
        expect(c.method).toBe(method);
        const want = expectedScore("classification", models[c.model as keyof typeof SEEDS], sets[c.test] as never, c.shots, method);
        expect(c.score, `${mode} ${c.model} ${c.test} ${c.shots}`).toBeCloseTo(want, 10);
      }
      if (mode === "llamacpp") expect(r.stderr).toMatch(/Only no echo is supported/);
      const preds = readFileSync(path.join(dir, `${mode}.jsonl`), "utf8").trimEnd().split("\n");
      expect(preds).toHaveLength(3 * (14 + 12 + 10) * 2);
    }
  }, 120_000);

  it("test items whose output is not a label are counted as bad input (file, line), or stop the run under --strict", async () => {
    const dir = tmp();
    const f = path.join(dir, "mixed.jsonl");
    writeFileSync(f, ['{"input":"bad cafe","output":"ab"}', '{"input":"dab gab","output":"maybe"}', '{"input":"egg ace","output":"HE"}'].join("\n") + "\n");
    const args = ["tune", "eval", "--template", "{input}", "--kind", "classification", "--labels", "ab,he", "--models", `base=openai:${servers["vllm-base"].url}#tiny`, "--tests", `in:${f}`, "--json"];
    const env = { XDG_CACHE_HOME: path.join(dir, "xdg") };
    const r = await runCli(args, { env });
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.tests[0].items).toBe(2);
    expect(res.badInput.total).toBe(1);
    expect(res.badInput.examples[0]).toMatchObject({ file: "mixed.jsonl", line: 2, reason: "label_not_in_set" });
    const strict = await runCli([...args, "--strict"], { env });
    expect(strict.code).toBe(3);
    expect(strict.stderr.trim().split("\n").pop()).toMatch(/mixed\.jsonl \(line 2\): label_not_in_set/);
  }, 60_000);

  it("bad specs and inputs are one-line usage errors", async () => {
    const dir = tmp();
    const { files } = writeSets(dir, "classification");
    const base = ["tune", "eval", "--template", "{input}", "--kind", "classification", "--labels", "ab,he"];
    const noPrefix = await runCli([...base, "--models", "base=gguf:x.gguf", "--tests", files.alpha_test.test]);
    expect(noPrefix.code).toBe(2);
    expect(noPrefix.stderr).toMatch(/must start with in: .* or out:/);
    const noShots = await runCli([...base, "--models", "base=gguf:x.gguf", "--tests", `in:${files.alpha_test.test}`, "--shots", "2"]);
    expect(noShots.code).toBe(2);
    expect(noShots.stderr).toMatch(/has no few-shot file/);
    const badModels = await runCli([...base, "--models", "gguf:x.gguf", "--tests", `in:${files.alpha_test.test}`]);
    expect(badModels.code).toBe(2);
    expect(badModels.stderr).toMatch(/is not name=<spec>/);
    const unknownTask = await runCli(["tune", "eval", "--task", "poetry", "--models", "base=gguf:x.gguf", "--tests", `in:${files.alpha_test.test}`]);
    expect(unknownTask.code).toBe(2);
    const noKind = await runCli(["tune", "eval", "--template", "{input}", "--models", "base=gguf:x.gguf", "--tests", `in:${files.alpha_test.test}`]);
    expect(noKind.code).toBe(2);
    expect(noKind.stderr).toMatch(/needs --kind/);
    for (const r of [noPrefix, noShots, badModels, unknownTask, noKind]) expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});

const gguf = requireTool("node-llama-cpp (datatailor backends install gguf)", backendStatus("gguf").source !== null);

describe.skipIf(!gguf)("tune eval against tiny GGUF models run in-process", () => {
  // llama.cpp generates slowly on a loaded 2-core machine (seconds per token measured here): two
  // models, three test sets of 2 items, 0-shot, at most 6 generated tokens.
  it("generation and classification cells equal the hand computation from the weights", async () => {
    if (!requireTool("python3", hasTool(DEBIAN_PYTHON))) return;
    const dir = tmp();
    const names = ["base", "ft"] as const;
    for (const name of names) new TinyModel({ ...DEFAULT_TINY, seed: SEEDS[name] }).write(path.join(dir, `${name}.gguf`));
    const modelsArg = names.map((n) => `${n}=gguf:${path.join(dir, `${n}.gguf`)}`).join(",");
    for (const kind of ["generation", "classification"] as const) {
      const { sets, files } = writeSets(mkdtempSync(path.join(dir, kind)), kind, [2, 2, 2]);
      const extra = kind === "classification" ? ["--labels", LABELS.join(",")] : ["--max-tokens", "6"];
      const args = ["tune", "eval", "--template", "{input}", "--kind", kind, ...extra, "--models", modelsArg, "--tests", testsArg(files), "--cache", path.join(dir, "cache"), "--json"];
      const r = await runCli(args);
      expect(r.code, r.stderr).toBe(0);
      // stdout is the one JSON document: llama.cpp's own warnings (a second model in the process warns
      // "n_ctx_seq (256) > n_ctx_train (128)") must not reach it
      const json = (out: string) => JSON.parse(out);
      const res = json(r.stdout);
      expect(res.cells).toHaveLength(6);
      for (const c of res.cells) {
        const want = expectedScore(kind, models[c.model as keyof typeof SEEDS], sets[c.test] as never, c.shots, "loglik", 6);
        expect(c.score, `${kind} ${c.model} ${c.test} ${c.shots}`).toBeCloseTo(want, 6);
        if (kind === "classification") expect(c.method).toBe("loglik");
      }
      // rerun from tune's own response cache: same cells, nothing new computed
      const res2 = json((await runCli(args)).stdout);
      expect(res2.cells).toEqual(res.cells);
      expect(res2.cache.writes).toBe(0);
      expect(res2.cache.hits).toBeGreaterThan(0);
    }
  }, 900_000);
});
