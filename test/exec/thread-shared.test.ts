/**
 * util/thread-shared.ts through the local executor's pool: what the main thread shares reaches
 * every pool thread as the same memory (the threads' writes are seen here), not as a copy.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ThreadPool } from "../../src/exec/pool.js";
import { sharedValue, shareWithThreads } from "../../src/util/thread-shared.js";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures/handlers.ts");

describe("values shared with the pool's threads", () => {
  const pool = new ThreadPool(2, { handlers: [{ kind: "shared-value-probe", module: FIXTURES, exportName: "sharedValueProbe" }] });
  const dir = mkdtempSync(path.join(tmpdir(), "dt-thread-shared-"));
  afterAll(async () => {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const spec = { kind: "shared-value-probe", inputRoot: dir, outDir: dir, params: {} };

  it("a thread finds nothing before anything is shared", async () => {
    const r = await pool.run(spec, { index: 0, shard: "s0" });
    expect(r.summary).toMatchObject({ inPool: true, found: false });
  });

  it("every task's thread reads and writes the main thread's array itself", async () => {
    const probe = new Int32Array(new SharedArrayBuffer(8));
    probe[1] = 42;
    shareWithThreads("probe", probe);
    expect(sharedValue("probe")).toBe(probe);
    // other shard names than the first test's: a finished shard is not run again
    const results = await Promise.all([0, 1, 2, 3, 4].map((index) => pool.run(spec, { index, shard: `t${index}` })));
    for (const r of results) expect(r.summary).toEqual({ inPool: true, found: true, shared: true, value: 42 });
    // five increments made in other threads, seen here: one memory, not five copies
    expect(Atomics.load(probe, 0)).toBe(5);
  });
});
