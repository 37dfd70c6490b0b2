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
  it("exits 1 with a one-line reason on an unknown command", async () => {
    const r = await runCli(["no-such-command"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown command/);
  });
});
