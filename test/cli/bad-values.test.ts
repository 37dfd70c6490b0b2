/**
 * Every command, bad option values: exit 2 and exactly one line on stderr that names the option,
 * never a stack trace. The values are checked before any input is read, so no data is needed
 * (paths that do not exist are fine: the option parser must stop the run first).
 */
import { describe, expect, it, vi } from "vitest";
import os from "node:os";
import path from "node:path";
import { runCli, SHARED_DATA } from "../helpers/cli.js";
import { buildProgram, commandName, COMMANDS } from "../../src/cli/program.js";

const nowhere = path.join(os.tmpdir(), "dt-bad-values-never");
const sel = ["select", "--target", nowhere, "--corpus", nowhere, "--out", nowhere];
const fit = ["fit", path.join(nowhere, "points.csv"), "--x", "N", "--y", "loss"];
const pcv = ["predict", "cv", "--db", nowhere, "--benchmark", "x"];
const pcard = ["predict", "--db", nowhere, "--benchmark", "x", "--model", path.join(nowhere, "card.json")];
const ftm = [path.join(nowhere, "m.bin"), path.join(nowhere, "d.txt")];
const fts = ["fasttext", "supervised", "-input", path.join(nowhere, "t.txt"), "-output", path.join(nowhere, "m")];

/** [args, the option the message must name] */
const CASES: Array<[string[], string]> = [
  [[...sel, "--keep", "10"], "--keep"],
  [[...sel, "--keep", "abc"], "--keep"],
  [[...sel, "--keep", "-0.1"], "--keep"],
  [[...sel, "--keep", "0"], "--keep"],
  [[...sel, "--keep", ""], "--keep"],
  [[...sel, "--sample", "-5"], "--sample"],
  [[...sel, "--sample", "1.5"], "--sample"],
  [[...sel, "--holdout", "-1"], "--holdout"],
  [[...sel, "--seed", "abc"], "--seed"],
  [[...sel, "--seed", "-1"], "--seed"],
  [[...sel, "--seed", "0x10"], "--seed"],
  [[...sel, "--threshold", "x"], "--threshold"],
  [[...sel, "--compute", "-1e21"], "--compute"],
  [[...sel, "--workers", "-2"], "--workers"],
  [[...sel, "--executor", "rank", "--rank", "x"], "--rank"],
  [[...sel, "--executor", "rank", "--world", "0"], "--world"],
  [[...sel, "--method", "bm25"], "--method"],
  [[...sel, "--min-tokens", "-1"], "--min-tokens"],
  [[...sel, "--lm-order", "0"], "--lm-order"],
  [[...sel, "--aggregate", "median"], "--aggregate"],
  [[...sel, "--method", "perplexity"], "--lm"],
  [[...sel, "--method", "perplexity", "--lm", "kenlm:x.arpa"], "--lm"],
  [[...sel, "--embedder", "bogus:1"], "embedder"],
  [["demo", "--out", nowhere, "--keep", "abc"], "--keep"],
  [["demo", "--out", nowhere, "--keep", "2"], "--keep"],
  [["demo", "--out", nowhere, "--workers", "0"], "--workers"],
  [["demo", "--out", nowhere, "--seed", "x"], "--seed"],
  [[...fit, "--bootstrap", "-1"], "--bootstrap"],
  [[...fit, "--level", "2"], "--level"],
  [[...fit, "--seed", "abc"], "--seed"],
  [[...fit, "--threads", "0"], "--threads"],
  [[...fit, "--huber-delta", "-1"], "--huber-delta"],
  [[...fit, "--holdout-largest", "x"], "--holdout-largest"],
  [[...fit, "--drop-highest", "-2"], "--drop-highest"],
  [[...fit, "--bootstrap-starts", "1.5"], "--bootstrap-starts"],
  [[...fit, "--compute", "abc"], "--compute"],
  [["fit", "filter-rate", "--compute", "-5"], "--compute"],
  [[...pcv, "--seeds", "0"], "--seeds"],
  [[...pcv, "--seed", "-1"], "--seed"],
  [[...pcv, "--selection-seeds", "0"], "--selection-seeds"],
  [[...pcard, "--coverage", "2"], "--coverage"],
  [["predict", "sweep", "--db", nowhere, "--benchmark", "x", "--points", "1"], "--points"],
  [["tune", "build", "--train", nowhere, "--out", nowhere, "--k", "-1"], "--k"],
  [["tune", "build", "--train", nowhere, "--out", nowhere, "--test-limit", "0"], "--test-limit"],
  [[...fts, "-dim", "abc"], "-dim"],
  [[...fts, "-epoch", "0"], "-epoch"],
  [[...fts, "-lr", "-1"], "-lr"],
  [[...fts, "-thread", "0"], "-thread"],
  [[...fts, "-loss", "mse"], "-loss"],
  [["fasttext", "predict", ...ftm, "0"], "k"],
  [["fasttext", "predict-prob", ...ftm, "abc"], "k"],
  [["fasttext", "test", ...ftm, "1", "x"], "threshold"],
  [["fasttext", "quantize", "-output", path.join(nowhere, "m"), "-dsub", "0"], "-dsub"],
  [["worker", "--redis", "redis://127.0.0.1:1", "--concurrency", "0"], "--concurrency"],
  [["worker", "--redis", "redis://127.0.0.1:1", "--lock-ms", "5"], "--lock-ms"],
  [["worker", "--redis", "redis://127.0.0.1:1", "--idle-exit", "-1"], "--idle-exit"],
  [["adapt", "similarity", "--seed", "abc"], "--seed"],
  [["adapt", "similarity", "--bandwidth", "0"], "--bandwidth"],
  [["adapt", "tokens", "--top", "0"], "--top"],
  [["adapt", "sweep", "--limit", "-3"], "--limit"],
  [["decontaminate", "--ngram", "0"], "--ngram"],
  [["lm", "train", "--order", "0"], "--order"],
  [["lm", "score", "--lm", "ngram:" + nowhere, "--batch", "0"], "--batch"],
  [["merge"], "--out"],
  [["backends", "install", "no-such-backend"], "no-such-backend"],
];

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/**
 * Runs the CLI in this process (the same program main.ts runs, without a Node start per case):
 * process.exit and the output streams are intercepted. Anything thrown that is not an exit is
 * what a real run would print as a stack trace, so it is reported as such.
 */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const spies = [
    vi.spyOn(process, "exit").mockImplementation(((code?: number) => {
      throw new Exit(code ?? 0);
    }) as never),
    vi.spyOn(process.stderr, "write").mockImplementation(((s: string) => ((stderr += String(s)), true)) as never),
    vi.spyOn(process.stdout, "write").mockImplementation(((s: string) => ((stdout += String(s)), true)) as never),
  ];
  process.exitCode = undefined;
  let code: number;
  try {
    const program = await buildProgram(commandName(["node", "datatailor", ...args]));
    await program.parseAsync(["node", "datatailor", ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof Exit) code = err.code;
    else {
      code = -1;
      stderr += `UNCAUGHT ${(err as Error).stack}`;
    }
  } finally {
    for (const s of spies) s.mockRestore();
    process.exitCode = undefined;
  }
  return { code, stdout, stderr };
}

/** A few cases through a real process too (the entry point, main.ts, and its error path). */
async function runAll(cases: Array<[string[], string]>) {
  return Promise.all(cases.map(([args]) => runCli(args)));
}

describe("bad option values, every command", () => {
  it("exit 2 with one line naming the option, no stack trace", async () => {
    const failures: string[] = [];
    for (const [args, option] of CASES) {
      const r = await inProcess(args);
      const lines = r.stderr.split("\n").filter((l) => l.trim() !== "" && !/^npm warn/.test(l));
      const ok = r.code === 2 && lines.length === 1 && lines[0]!.includes(option) && !/\n\s+at /.test(r.stderr) && r.stdout === "";
      if (!ok) failures.push(`${args.slice(0, 2).join(" ")} … ${args.slice(-2).join(" ")}: exit ${r.code}, stderr ${JSON.stringify(r.stderr.slice(0, 300))}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it("covers every registered command", () => {
    const covered = new Set(CASES.map(([a]) => a[0]));
    expect(Object.keys(COMMANDS).filter((c) => !covered.has(c))).toEqual([]);
  });

  it("the same through the real entry point (one line, exit 2, no stack)", async () => {
    const picked = CASES.filter(([a]) => ["select", "fit", "predict", "fasttext"].includes(a[0]!) && /^(10|2|0|-1|abc)$/.test(a[a.length - 1]!)).slice(0, 4);
    expect(picked.length).toBe(4);
    const results = await runAll(picked);
    results.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split("\n").filter((l) => !/^npm warn/.test(l))).toHaveLength(1);
      expect(r.stderr).toContain(picked[i]![1]);
    });
  }, 60_000);

  it("a missing --target and a missing --corpus get the same code (1, a missing file)", async () => {
    const existing = path.join(__dirname, "bad-values.test.ts");
    const [t, c] = await runAll([
      [["select", "--target", nowhere, "--corpus", existing.replace(/\.ts$/, ".jsonl"), "--out", nowhere + "-o", "--method", "dsir"], ""],
      [["select", "--target", existing, "--corpus", nowhere, "--out", nowhere + "-o", "--method", "dsir"], ""],
    ]);
    expect(t!.code, t!.stderr).toBe(1);
    expect(c!.code, c!.stderr).toBe(1);
    expect(t!.stderr).toMatch(/no such/);
    expect(c!.stderr).toMatch(/no such/);
    // a missing model file for --lm too, named before any corpus reading
    const [m] = await runAll([[["select", "--method", "perplexity", "--lm", `gguf:${nowhere}.gguf`, "--corpus", path.join(SHARED_DATA, "corpora/nltk-corpora/brown.jsonl"), "--out", nowhere + "-o"], ""]]);
    expect(m!.code, m!.stderr).toBe(1);
    expect(m!.stderr.trim()).toBe(`datatailor: --lm gguf:${nowhere}.gguf: no such model file`);
  }, 60_000);
});
