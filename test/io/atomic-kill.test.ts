import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { discoverShards, openRecordWriter, parseTempName, removeStaleTemps, type ShardFormat } from "../../src/io/index.js";
import { ROOT } from "../helpers/cli.js";
import { readAll, tempDir } from "./helpers.js";

const t = tempDir();
afterAll(() => t.cleanup());

/** Starts a writer in a child process, waits until it has written, SIGKILLs it. */
function killMidWrite(out: string, format: ShardFormat): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "test/io/fixtures/slow-writer.ts"), out, format], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.on("data", () => child.kill("SIGKILL"));
    child.on("error", reject);
    child.on("close", (code, signal) => (signal === "SIGKILL" ? resolve() : reject(new Error(`writer exited ${code}: ${stderr}`))));
  });
}

describe("atomic outputs under SIGKILL", () => {
  for (const format of ["jsonl.zst", "parquet"] as ShardFormat[]) {
    it(`a ${format} writer killed mid-write leaves only a hidden temp file; a rerun commits and cleans up`, async () => {
      const dir = path.join(t.dir, format);
      const out = path.join(dir, `part-00000.${format}`);
      await killMidWrite(out, format);
      expect(existsSync(out)).toBe(false);
      const left = readdirSync(dir);
      expect(left).toHaveLength(1);
      const tmp = parseTempName(left[0]!);
      expect(tmp?.final).toBe(`part-00000.${format}`);
      expect(statSync(path.join(dir, left[0]!)).size).toBeGreaterThan(0);
      // Discovery does not take the leftover for a shard.
      await expect(discoverShards([dir])).rejects.toThrow(/no corpus shards/);
      // The rerun: stale temps removed, new output committed, readable and complete.
      expect((await removeStaleTemps(dir)).map((p) => path.basename(p))).toEqual(left);
      const w = await openRecordWriter(out, format);
      for (let i = 0; i < 3; i++) await w.write({ id: `${i}`, text: `t${i}`, fields: { id: `${i}`, text: `t${i}` }, line: i + 1 });
      await w.commit();
      expect(readdirSync(dir)).toEqual([`part-00000.${format}`]);
      const { records, bad } = await readAll(out);
      expect(bad.total).toBe(0);
      expect(records.map((r) => r.text)).toEqual(["t0", "t1", "t2"]);
    });
  }

  it("removeStaleTemps keeps the temp files of live writers", async () => {
    const dir = path.join(t.dir, "live");
    const w = await openRecordWriter(path.join(dir, "a.jsonl"), "jsonl");
    await w.write({ id: "1", text: "x", fields: { text: "x" }, line: 1 });
    expect(await removeStaleTemps(dir)).toEqual([]);
    expect(readdirSync(dir)).toHaveLength(1);
    await w.commit();
    expect(readdirSync(dir)).toEqual(["a.jsonl"]);
  });
});
