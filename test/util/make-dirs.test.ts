/**
 * makeDirs: mkdir -p that answers where Node 20's recursive mkdir spins forever (a parent
 * under /proc, whose mkdir says ENOENT). The /proc case runs the CLI and would time out, not
 * fail fast, with the old code.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeDirs } from "../../src/util/make-dirs.js";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(path.join(tmpdir(), "dt-make-dirs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const linux = process.platform === "linux";

describe("makeDirs", () => {
  it("creates every missing level, and is quiet about what exists (twice, or made concurrently)", async () => {
    const deep = path.join(dir, "a", "b", "c", "d");
    await makeDirs(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    await makeDirs(deep);
    await makeDirs(dir);
    const wide = path.join(dir, "x", "y");
    await Promise.all([makeDirs(wide), makeDirs(wide), makeDirs(path.join(wide, "z"))]);
    expect(statSync(path.join(wide, "z")).isDirectory()).toBe(true);
  });

  it("a file in the way is ENOTDIR, naming it", async () => {
    const file = path.join(dir, "file");
    writeFileSync(file, "x");
    await expect(makeDirs(path.join(file, "sub"))).rejects.toMatchObject({ code: "ENOTDIR" });
    await expect(makeDirs(file)).rejects.toThrow(file);
  });

  it.runIf(linux)("under /proc: the refusal (ENOENT), at once", async () => {
    const t0 = Date.now();
    await expect(makeDirs("/proc/datatailor-no-such/dir")).rejects.toMatchObject({ code: "ENOENT", path: "/proc/datatailor-no-such" });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it.runIf(linux)("lm train --output under /proc: one line and exit 1, not a hang", async () => {
    const r = await runCli(["lm", "train", "-o", "2", "--discount-fallback", "--output", "/proc/datatailor-no-such/m.arpa"], { input: "a b c\nb c d\n" });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/\/proc\/datatailor-no-such\/m\.arpa.*ENOENT/);
  }, 30_000);
});
