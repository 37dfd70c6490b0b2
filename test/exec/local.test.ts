import { afterAll, describe, expect, it } from "vitest";
import { readFileSync, statSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import path from "node:path";
import { LocalExecutor } from "../../src/exec/local.js";
import { registerTestKinds } from "./fixtures/kinds.js";
import { completionStatus, markerPath } from "../../src/exec/completions.js";
import { LocalStorage } from "../../src/io/storage.js";
import type { JobSpec } from "../../src/exec/types.js";
import { expectedKept, makeCorpus } from "./fixtures/corpus.js";
import { tmp } from "./files.js";

registerTestKinds();

const executors: LocalExecutor[] = [];
const make = (workers: number) => {
  const e = new LocalExecutor({ workers });
  executors.push(e);
  return e;
};
afterAll(async () => {
  for (const e of executors) await e.close();
});

function readSelected(out: string, rel: string): string[] {
  const buf = readFileSync(path.join(out, "selected", rel));
  return (rel.endsWith(".gz") ? gunzipSync(buf) : buf).toString("utf8").split("\n").filter(Boolean);
}

describe("local executor", () => {
  const input = tmp("dt-local-in-");
  const { shards, tasks } = makeCorpus(input, { shards: 5, docs: 40, bad: true, gzipLast: true });
  const spec = (outDir: string, params = { minChars: 50, maxChars: 150 }): JobSpec<typeof params> => ({ kind: "filter-length", inputRoot: input, outDir, params });

  it("runs every shard on threads, keeps exactly the matching docs and reconciles counts", async () => {
    const out = tmp("dt-local-out-");
    let progressed = 0;
    const done: number[] = [];
    const results = await make(2).run(spec(out), [...tasks].reverse(), { onProgress: (n) => (progressed += n), onShardDone: (r) => done.push(r.index) });
    expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(done.sort()).toEqual([0, 1, 2, 3, 4]);
    for (const s of shards) expect(readSelected(out, s.rel)).toEqual(expectedKept(s.lines, 50, 150));
    for (const r of results) {
      const c = r.counts;
      expect(c.rejected).toBe(2);
      expect(c.read).toBe(c.kept + c.dropped + c.rejected);
      expect(c.read).toBe(42);
    }
    expect(progressed).toBe(5 * 42);
    const status = await completionStatus(new LocalStorage(out));
    expect(status?.missing).toEqual([]);
    expect(status?.done).toHaveLength(5);
  });

  it("gives byte-identical output with 1 and 3 workers", async () => {
    const a = tmp("dt-local-a-");
    const b = tmp("dt-local-b-");
    await make(1).run(spec(a), tasks);
    await make(3).run(spec(b), tasks);
    for (const s of shards) expect(readFileSync(path.join(a, "selected", s.rel))).toEqual(readFileSync(path.join(b, "selected", s.rel)));
  });

  it("skips finished shards on a rerun and redoes them when the job changes", async () => {
    const out = tmp("dt-local-rerun-");
    const ex = make(2);
    await ex.run(spec(out), tasks);
    const file = path.join(out, "selected", shards[1].rel);
    const mtime = statSync(file).mtimeMs;
    // Simulate an interruption: shard 3 lost its marker (its outputs are redone, not duplicated).
    await new LocalStorage(out).remove(markerPath(shards[3].rel));
    const again = await ex.run(spec(out), tasks);
    expect(again.map((r) => Boolean(r.skipped))).toEqual([true, true, true, false, true]);
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(readSelected(out, shards[3].rel)).toEqual(expectedKept(shards[3].lines, 50, 150));
    const changed = await ex.run(spec(out, { minChars: 0, maxChars: 10 }), tasks);
    expect(changed.every((r) => !r.skipped)).toBe(true);
    expect(readSelected(out, shards[1].rel)).toEqual(expectedKept(shards[1].lines, 0, 10));
  });

  it("rejects shard paths that leave the output or input directory", async () => {
    const out = tmp("dt-local-unsafe-");
    for (const shard of ["../../etc/evil.jsonl", "/tmp/abs.jsonl", "a/../../b.jsonl"]) {
      await expect(make(1).run(spec(out), [{ index: 0, shard }])).rejects.toThrow(/unsafe path/);
    }
    expect(existsSync(path.join(out, "..", "etc"))).toBe(false);
  });

  it("names the failing shard and runs extra handler modules registered for tests", async () => {
    const out = tmp("dt-local-fail-");
    await expect(make(1).run({ kind: "always-fail", inputRoot: input, outDir: out, params: {} }, tasks.slice(0, 2))).rejects.toThrow(/part\/00000\.jsonl: cannot process/);
    await expect(make(1).run({ kind: "no-such-kind", inputRoot: input, outDir: out, params: {} }, tasks.slice(0, 1))).rejects.toThrow(/unknown task kind 'no-such-kind'/);
    const copyOut = tmp("dt-local-copy-");
    const r = await make(2).run({ kind: "slow-copy", inputRoot: input, outDir: copyOut, params: {} }, tasks.slice(0, 2));
    expect(r[0].counts.kept).toBe(42);
    expect(readSelected(copyOut, shards[0].rel)).toEqual(shards[0].lines);
  });

  it("sweeps temporaries left by a killed earlier run", async () => {
    const out = tmp("dt-local-sweep-");
    mkdirSync(path.join(out, "selected/part"), { recursive: true });
    const orphan = path.join(out, "selected/part", ".00000.jsonl.tmp-999999-deadbeef");
    writeFileSync(orphan, "half a shard");
    await make(1).run(spec(out), tasks);
    expect(existsSync(orphan)).toBe(false);
  });
});
