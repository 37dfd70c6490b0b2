/**
 * Start-up: `--version` imports no command, and `fasttext predict` only fastText's code: none
 * of the heavy dependencies other commands need (DuckDB, Vega, BullMQ/ioredis, Parquet, zstd).
 * Measured with a resolve hook that records every module the process loads.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "../helpers/cli.js";
import { FastText } from "../../src/backends/fasttext/index.js";

const HEAVY = /node_modules\/(@duckdb|vega|vega-lite|bullmq|ioredis|hyparquet|hyparquet-writer|hyparquet-compressors|zstd-napi|cli-progress|@huggingface)\//;
const TRACE = path.join(ROOT, "test/cli/fixtures/trace-imports.mjs");

function loaded(args: string[]): { code: number; stdout: string; modules: string[] } {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "dt-trace-")), "modules.txt");
  writeFileSync(file, "");
  const r = spawnSync(process.execPath, ["--import", "tsx", "--import", TRACE, path.join(ROOT, "src/cli/main.ts"), ...args], {
    env: { ...process.env, DT_TRACE_FILE: file },
    encoding: "utf8",
  });
  return { code: r.status ?? -1, stdout: r.stdout, modules: readFileSync(file, "utf8").split("\n").filter(Boolean) };
}

describe("CLI start-up loads only what the command needs", () => {
  it("--version loads no command module", () => {
    const r = loaded(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(r.modules.some((m) => m.endsWith("/src/cli/main.ts"))).toBe(true); // the hook saw the entry
    expect(r.modules.filter((m) => /\/src\/(cli\/(?!main)|pipelines|exec|backends|report|io)\//.test(m))).toEqual([]);
    expect(r.modules.filter((m) => HEAVY.test(m))).toEqual([]);
  });

  it("fasttext predict loads fastText and nothing heavy", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "dt-startup-"));
    writeFileSync(path.join(dir, "train.txt"), "__label__a apple banana\n__label__b car truck\n".repeat(20));
    const ft = await FastText.train({ dim: 4, epoch: 1, thread: 1, minCount: 1, verbose: 0 }, path.join(dir, "train.txt"));
    await ft.saveFile(path.join(dir, "m.bin"));
    writeFileSync(path.join(dir, "one.txt"), "apple banana\n");
    const r = loaded(["fasttext", "predict", path.join(dir, "m.bin"), path.join(dir, "one.txt")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^__label__[ab]\n$/);
    expect(r.modules.some((m) => m.includes("/src/cli/fasttext.ts"))).toBe(true);
    expect(r.modules.some((m) => /node_modules\/commander\//.test(m))).toBe(true); // the hook sees packages too
    expect(r.modules.filter((m) => HEAVY.test(m))).toEqual([]);
    expect(r.modules.filter((m) => /\/src\/cli\/(select|fit|predict|demo|worker|merge|tune)\.ts$/.test(m))).toEqual([]);
  });
});
