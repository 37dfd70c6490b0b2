/** adapt's CLI surface: --help everywhere, bad option values exit 2 with one line naming the option. */
import { describe, expect, it } from "vitest";
import os from "node:os";
import path from "node:path";
import { runCli } from "../helpers/cli.js";

const nowhere = path.join(os.tmpdir(), "dt-adapt-never");
const sim = ["adapt", "similarity", "--domain", nowhere, "--reference", nowhere];
const tok = ["adapt", "tokens", "--base", `ngram:${nowhere}/a.arpa`, "--adapted", `ngram:${nowhere}/b.arpa`, "--data", nowhere];
const CASES: Array<[string[], string]> = [
  [[...sim, "--sample-domain", "1"], "--sample-domain"],
  [[...sim, "--sample-reference", "abc"], "--sample-reference"],
  [[...sim, "--bandwidth", "0"], "--bandwidth"],
  [[...sim, "--seed", "-1"], "--seed"],
  [[...sim, "--permutations", "0"], "--permutations"],
  [[...sim, "--mmd-sample", "1.5"], "--mmd-sample"],
  [[...sim, "--frechet-eps", "-1"], "--frechet-eps"],
  [[...sim, "--threads", "0"], "--threads"],
  [[...tok, "--top", "0"], "--top"],
  [[...tok, "--unit", "word"], "--unit"],
  [["adapt", "sweep", "--manifest", nowhere, "--permutation-sample", "x"], "--permutation-sample"],
  [["demo", "adapt", "--out", nowhere, "--seed", "x"], "--seed"],
];

describe("adapt CLI", () => {
  it("has --help for the command and every subcommand", async () => {
    const rs = await Promise.all([["adapt", "--help"], ["adapt", "similarity", "--help"], ["adapt", "tokens", "--help"], ["adapt", "sweep", "--help"], ["demo", "adapt", "--help"]].map((a) => runCli(a)));
    for (const r of rs) expect(r.code).toBe(0);
    expect(rs[0].stdout).toMatch(/similarity[\s\S]*tokens[\s\S]*sweep/);
    expect(rs[1].stdout).toContain("--vector-field");
    expect(rs[2].stdout).toContain("--top");
    expect(rs[4].stdout).toContain("--out");
  });

  it("bad option values: exit 2, one line naming the option", async () => {
    const rs = await Promise.all(CASES.map(([a]) => runCli(a)));
    const failures: string[] = [];
    rs.forEach((r, i) => {
      const lines = r.stderr.split("\n").filter((l) => l.trim() !== "" && !/^npm warn/.test(l));
      if (!(r.code === 2 && lines.length === 1 && lines[0].includes(CASES[i][1]) && r.stdout === "")) failures.push(`${CASES[i][0].join(" ")}: exit ${r.code}, ${r.stderr.slice(0, 200)}`);
    });
    expect(failures).toEqual([]);
  }, 300_000);
});
