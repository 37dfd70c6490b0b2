/**
 * Issue 12 item 8: an idle `datatailor worker` whose Redis went away exits within seconds on
 * the first SIGTERM, logs the outage once (then once a minute with a count), and a shard whose
 * input file is missing is reported as such.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { LocalExecutor } from "../../src/exec/local.js";
import { OutageLog } from "../../src/exec/redis.js";
import { registerTestKinds } from "./fixtures/kinds.js";
import { redisAvailable, startRedis, type RedisServer } from "./redis.js";
import { requireTool } from "../helpers/system.js";
import { spawnCli, type Spawned } from "./spawn.js";
import { tmp } from "./files.js";

registerTestKinds();

describe("OutageLog", () => {
  it("logs the first failure, then one line a minute with the count, then the reconnection", () => {
    let t = 0;
    const lines: string[] = [];
    const o = new OutageLog("lost Redis at redis://h:1", (m) => lines.push(m), 60_000, () => t);
    const err = new Error("connect ECONNREFUSED");
    for (t = 0; t < 150_000; t += 2000) o.failure(err); // a retry every 2 s for 2.5 minutes
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe("lost Redis at redis://h:1 (connect ECONNREFUSED); reconnecting");
    // 30 retries between the first line (t = 0) and t = 60 s, then 30 more to t = 120 s
    expect(lines[1]).toBe("still no Redis after 60 s: 30 failed attempt(s) in the last 60 s (connect ECONNREFUSED)");
    expect(lines[2]).toBe("still no Redis after 120 s: 30 failed attempt(s) in the last 60 s (connect ECONNREFUSED)");
    expect(o.down).toBe(true);
    expect(o.recovered()).toBe(150_000);
    expect(o.down).toBe(false);
    expect(o.recovered()).toBeUndefined();
  });
});

describe("a shard whose input file is missing", () => {
  const exec = new LocalExecutor({ workers: 1 });
  afterAll(() => exec.close());
  it("fails naming the missing input, not 'worker thread died'", async () => {
    const input = tmp("dt-missing-in-");
    mkdirSync(path.join(input, "part"), { recursive: true });
    const run = exec.run({ kind: "filter-length", inputRoot: input, outDir: tmp("dt-missing-out-"), params: {} }, [{ index: 0, shard: "part/gone.jsonl" }]);
    await expect(run).rejects.toThrow(/part\/gone\.jsonl: input shard not found: .*part\/gone\.jsonl/);
    await expect(run).rejects.not.toThrow(/worker thread died/);
  });
});

describe.skipIf(!requireTool("redis-server", redisAvailable()))("an idle worker whose Redis is down", () => {
  let redis: RedisServer | undefined;
  let worker: Spawned | undefined;
  afterAll(async () => {
    await worker?.kill();
    await redis?.stop();
  });

  it("logs the outage once and exits within seconds on the first SIGTERM", async () => {
    redis = await startRedis();
    worker = spawnCli(["worker", "--redis", redis.url, "--queue", "t-down"]);
    await worker.waitFor(/worker: pid \d+/);
    await redis.stop();
    await worker.waitFor(/lost Redis/, 20_000);
    await new Promise((r) => setTimeout(r, 6000)); // several reconnection attempts
    const lines = worker.output().split("\n").filter((l) => /Redis|ECONNREFUSED/.test(l));
    expect(lines.filter((l) => /lost Redis/.test(l)), worker.output()).toHaveLength(1);
    expect(lines.filter((l) => /ECONNREFUSED/.test(l) && !/lost Redis/.test(l)), worker.output()).toEqual([]);
    const t0 = Date.now();
    process.kill(worker.pid, "SIGTERM");
    const code = await worker.exited;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(code).toBe(0);
    expect(worker.output()).toMatch(/SIGTERM; Redis is unreachable, stopping now/);
  }, 60_000);
});
