/**
 * `datatailor select` end to end on the bundled demo sample with each executor: local threads,
 * the Redis queue (coordinator only + a `datatailor worker` process), and two rank tasks
 * followed by `datatailor merge`. Selected shards and score tables must be identical.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ROOT, runCli } from "../helpers/cli.js";
import { redisAvailable, startRedis, type RedisServer } from "./redis.js";
import { spawnCli, type Spawned } from "./spawn.js";
import { tmp } from "./files.js";

const have = redisAvailable();
const DEMO = path.join(ROOT, "data/demo");

function outputs(dir: string): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const rel = path.relative(dir, path.join(e.parentPath, e.name));
    if (rel.startsWith("selected/") || rel.startsWith("scores/")) m.set(rel, readFileSync(path.join(dir, rel)));
  }
  return m;
}

function expectSame(a: Map<string, Buffer>, b: Map<string, Buffer>) {
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  for (const [k, v] of a) expect(v.equals(b.get(k)!), k).toBe(true);
}

describe.skipIf(!have)("datatailor select with each executor", () => {
  let redis: RedisServer;
  let worker: Spawned | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await worker?.kill();
    await redis?.stop();
  });

  it("local, queue and rank+merge produce the same selection", async () => {
    const work = tmp("dt-selcli-");
    const base = ["select", "--target", path.join(DEMO, "targets"), "--corpus", path.join(DEMO, "corpus"), "--keep", "0.2", "--method", "dsir", "--seed", "3", "--sample", "400", "--holdout", "400", "--no-report", "--json"];
    const local = await runCli([...base, "--out", path.join(work, "local"), "--workers", "2"]);
    expect(local.code, local.stderr).toBe(0);
    const expected = outputs(path.join(work, "local"));
    expect(expected.size).toBeGreaterThan(2);

    worker = spawnCli(["worker", "--redis", redis.url, "--queue", "t-selcli"]);
    await worker.waitFor(/worker: pid \d+/);
    const queued = await runCli([...base, "--out", path.join(work, "queue"), "--executor", "queue", "--redis", redis.url, "--queue", "t-selcli", "--workers", "0"]);
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.stderr).toMatch(/enqueued 9 shard job/);
    expect(JSON.parse(queued.stdout).kept).toBe(JSON.parse(local.stdout).kept);
    expectSame(expected, outputs(path.join(work, "queue")));
    expect(worker.output()).toMatch(/done/);

    const rankOut = path.join(work, "rank");
    const ranks = await Promise.all([0, 1].map((r) => runCli([...base, "--out", rankOut, "--executor", "rank", "--rank", String(r), "--world", "2"])));
    for (const r of ranks) expect(r.code, r.stderr).toBe(0);
    const merged = await runCli(["merge", "--out", rankOut, "--json"]);
    expect(merged.code, merged.stderr).toBe(0);
    const m = JSON.parse(merged.stdout);
    expect(m.ok).toBe(true);
    expect(m.totals.kept).toBe(JSON.parse(local.stdout).kept);
    expect(m.totals.read).toBe(JSON.parse(local.stdout).read);
    expectSame(expected, outputs(rankOut));
  });
});
