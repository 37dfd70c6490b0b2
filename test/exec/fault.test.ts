/**
 * Fault tolerance against a real redis-server and real `datatailor worker` processes:
 * a worker SIGKILLed mid-shard, and Redis itself restarted (losing its data) mid-run.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { QueueExecutor } from "../../src/exec/queue.js";
import { LocalExecutor } from "../../src/exec/local.js";
import { registerTestKinds } from "./fixtures/kinds.js";
import { makeCorpus } from "./fixtures/corpus.js";
import { redisAvailable, startRedis, type RedisServer } from "./redis.js";
import { spawnCli, type Spawned } from "./spawn.js";
import { allFiles, tmp } from "./files.js";

registerTestKinds();

const have = redisAvailable();

describe.skipIf(!have)("fault tolerance (real redis-server, worker processes)", () => {
  let redis: RedisServer;
  const workers: Spawned[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.kill();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  const startWorker = async (queue: string) => {
    const w = spawnCli(["worker", "--redis", redis.url, "--queue", queue, "--lock-ms", "1500", "--stalled-ms", "500"]);
    workers.push(w);
    await w.waitFor(/worker: pid \d+/);
    return w;
  };

  it("a worker SIGKILLed mid-shard: another worker takes the shard over and the output equals a local run", async () => {
    const input = tmp("dt-fault-in-");
    const { tasks } = makeCorpus(input, { shards: 4, docs: 30 });
    const logDir = tmp("dt-fault-log-");
    const params = { delayMs: 30, logDir };
    const localOut = tmp("dt-fault-local-");
    const local = new LocalExecutor({ workers: 2 });
    await local.run({ kind: "slow-copy", inputRoot: input, outDir: localOut, params: { delayMs: 0 } }, tasks);
    await local.close();

    const [a, b] = await Promise.all([startWorker("t-kill"), startWorker("t-kill")]);
    const out = tmp("dt-fault-out-");
    const q = new QueueExecutor({ redis: redis.url, queue: "t-kill", workers: 0, pollMs: 300 });
    let killed: Spawned | undefined;
    let victimShard = "";
    const run = q.run({ kind: "slow-copy", inputRoot: input, outDir: out, params }, tasks, {
      onProgress: () => {
        if (killed) return;
        // Kill a worker process that has started a shard whose marker does not exist yet.
        for (const f of readdirSync(logDir)) {
          const [tag, pid] = f.split(".");
          const task = tasks.find((t) => t.shard.replace(/[^A-Za-z0-9]/g, "_") === tag)!;
          const victim = [a, b].find((w) => String(w.pid) === pid);
          if (!victim || existsSync(path.join(out, "completions/done", task.shard + ".json"))) continue;
          killed = victim;
          victimShard = tag;
          process.kill(victim.pid, "SIGKILL");
          return;
        }
      },
    });
    const results = await run;
    expect(killed).toBeDefined();
    expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    // The killed shard was attempted again, by the surviving worker.
    const attempts = readdirSync(logDir).filter((f) => f.startsWith(victimShard + "."));
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    const survivor = [a, b].find((w) => w !== killed)!;
    expect(attempts.some((f) => f.includes(`.${survivor.pid}.`))).toBe(true);
    // Same selection as the local run, and nothing partial left behind.
    const files = allFiles(out).filter((f) => f.startsWith("selected/"));
    expect(files).toEqual(allFiles(localOut).filter((f) => f.startsWith("selected/")));
    for (const f of files) expect(readFileSync(path.join(out, f))).toEqual(readFileSync(path.join(localOut, f)));
    expect(allFiles(out).filter((f) => path.basename(f).includes(".tmp-"))).toEqual([]);
  });

  it("Redis restarted mid-run (data lost): workers and coordinator reconnect and the run completes", async () => {
    const input = tmp("dt-restart-in-");
    const { shards, tasks } = makeCorpus(input, { shards: 6, docs: 25 });
    const out = tmp("dt-restart-out-");
    await startWorker("t-restart");
    const logs: string[] = [];
    const q = new QueueExecutor({ redis: redis.url, queue: "t-restart", workers: 0, pollMs: 300, log: (m) => logs.push(m) });
    let restarted = false;
    let done = 0;
    const run = q.run({ kind: "slow-copy", inputRoot: input, outDir: out, params: { delayMs: 10 } }, tasks, {
      onShardDone: () => {
        done++;
        if (done === 1 && !restarted) {
          restarted = true;
          void (async () => {
            await redis.stop();
            await new Promise((r) => setTimeout(r, 1000));
            await redis.start();
          })();
        }
      },
    });
    const results = await run;
    expect(restarted).toBe(true);
    expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const s of shards) expect(readFileSync(path.join(out, "selected", s.rel), "utf8")).toBe(s.lines.join("\n") + "\n");
    expect(logs.join("\n")).toMatch(/lost Redis/);
    expect(logs.join("\n")).toMatch(/reconnected to Redis/);
    expect(workers[0].output()).toMatch(/worker: reconnected to Redis/);
  });
});
