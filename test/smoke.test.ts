import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { VERSION } from "../src/version.js";

describe("datatailor CLI", () => {
  it("prints help listing every command", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const c of ["demo", "select", "fit", "predict", "fasttext", "worker", "merge"]) expect(r.stdout).toContain(c);
  });
  it("prints its version", async () => {
    const r = await runCli(["--version"]);
    expect(r.stdout.trim()).toBe(VERSION);
  });
  it("exits 2 (usage) with the reason on an unknown command, option or choice", async () => {
    const r = await runCli(["no-such-command"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command/);
    const opt = await runCli(["select", "--no-such-flag"]);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toMatch(/unknown option '--no-such-flag'/);
    const choice = await runCli(["select", "--keep-by", "bytes"]);
    expect(choice.code).toBe(2);
    expect(choice.stderr).toMatch(/--keep-by.*bytes/s);
    expect((await runCli(["fit", "--help"])).code).toBe(0);
  });
});
