import { describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LocalStorage, type Storage } from "../../src/io/storage.js";
import { openShardJob } from "../../src/exec/shard-job.js";
import type { JobSpec, TaskContext } from "../../src/exec/types.js";

function ctxOf(input: Storage, output: Storage): TaskContext {
  return { input, output, progress: () => {} };
}

describe("openShardJob", () => {
  it("reads and writes through the injected storage, not the payload's directories", async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), "dt-shard-job-"));
    const realIn = path.join(base, "in");
    const realOut = path.join(base, "out");
    mkdirSync(path.join(realIn, "a"), { recursive: true });
    writeFileSync(path.join(realIn, "a", "s.jsonl"), '{"text":"hello"}\n');
    // The payload names directories that do not exist: only the injected storage can find the shard.
    const spec: JobSpec = { kind: "t", inputRoot: path.join(base, "nowhere-in"), outDir: path.join(base, "nowhere-out"), params: {} };
    const job = await openShardJob(spec, { index: 0, shard: "a/s.jsonl" }, ctxOf(new LocalStorage(realIn), new LocalStorage(realOut)));
    expect(job.format).toBe("jsonl");
    expect(job.path).toBe(path.join(realIn, "a", "s.jsonl"));
    expect(job.bytes).toBe(17);
    expect(await job.outputPath("selected/a/s.jsonl")).toBe(path.join(realOut, "selected", "a", "s.jsonl"));
    expect(job.outputReadPath("model/index.bin")).toBe(path.join(realOut, "model", "index.bin"));
  });

  it("refuses an output path that follows a symlink out of the output root", async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), "dt-shard-job-"));
    mkdirSync(path.join(base, "in"));
    mkdirSync(path.join(base, "out"));
    mkdirSync(path.join(base, "elsewhere"));
    writeFileSync(path.join(base, "in", "s.jsonl"), "");
    symlinkSync(path.join(base, "elsewhere"), path.join(base, "out", "clean"));
    const spec: JobSpec = { kind: "t", inputRoot: path.join(base, "in"), outDir: path.join(base, "out"), params: {} };
    const job = await openShardJob(spec, { index: 0, shard: "s.jsonl" }, ctxOf(new LocalStorage(path.join(base, "in")), new LocalStorage(path.join(base, "out"))));
    await expect(job.outputPath("clean/s.jsonl")).rejects.toThrow(/symlink outside/);
  });

  it("names a shard whose format it does not know, and a store without filesystem paths", async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), "dt-shard-job-"));
    const local = new LocalStorage(base);
    const spec: JobSpec = { kind: "t", inputRoot: base, outDir: base, params: {} };
    await expect(openShardJob(spec, { index: 0, shard: "notes.md" }, ctxOf(local, local))).rejects.toThrow("notes.md: not a corpus shard");
    const remote: Storage = Object.assign(Object.create(local) as Storage, { location: "s3://bucket/x", localPath: () => undefined });
    await expect(openShardJob(spec, { index: 0, shard: "s.jsonl" }, ctxOf(remote, local))).rejects.toThrow("t: input storage s3://bucket/x gives no filesystem path");
  });
});
