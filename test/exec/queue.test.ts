import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { QueueExecutor } from "../../src/exec/queue.js";
import { LocalExecutor } from "../../src/exec/local.js";
import { registerTestKinds } from "./fixtures/kinds.js";
import { startQueueWorker } from "../../src/exec/queue-worker.js";
import { completionStatus } from "../../src/exec/completions.js";
import { LocalStorage } from "../../src/io/storage.js";
import { makeCorpus } from "./fixtures/corpus.js";
import { freePort, redisAvailable, startRedis, type RedisServer } from "./redis.js";
import { allFiles, tmp } from "./files.js";

registerTestKinds();

const have = redisAvailable();

describe.skipIf(!have)("queue executor (real redis-server)", () => {
  let redis: RedisServer;
  const input = tmp("dt-queue-in-");
  const { shards, tasks } = makeCorpus(input, { shards: 6, docs: 30, bad: true, gzipLast: true });
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("runs every shard through Redis and ends byte-identical to the local executor", async () => {
    const spec = (outDir: string) => ({ kind: "filter-length", inputRoot: input, outDir, params: { minChars: 40, maxChars: 160 } });
    const localOut = tmp("dt-queue-local-");
    const local = new LocalExecutor({ workers: 2 });
    const expected = await local.run(spec(localOut), tasks);
    await local.close();
    const out = tmp("dt-queue-out-");
    let progressed = 0;
    const q = new QueueExecutor({ redis: redis.url, queue: "t-basic", workers: 2, pollMs: 300 });
    const got = await q.run(spec(out), tasks, { onProgress: (n) => (progressed += n) });
    expect(got.map((r) => r.counts)).toEqual(expected.map((r) => r.counts));
    expect(progressed).toBe(expected.reduce((a, r) => a + r.counts.read, 0));
    for (const s of shards) expect(readFileSync(path.join(out, "selected", s.rel))).toEqual(readFileSync(path.join(localOut, "selected", s.rel)));
    // A second run finds every marker and enqueues nothing.
    const again = await q.run(spec(out), tasks);
    expect(again.every((r) => r.skipped)).toBe(true);
  });

  it("exits with one clear line when Redis is unreachable", async () => {
    const port = await freePort();
    const q = new QueueExecutor({ redis: `redis://127.0.0.1:${port}`, workers: 1 });
    await expect(q.run({ kind: "filter-length", inputRoot: input, outDir: tmp("dt-q-"), params: {} }, tasks)).rejects.toThrow(new RegExp(`cannot reach Redis at redis://127.0.0.1:${port}: .*ECONNREFUSED`));
  });

  it("a retried job (failed halfway) and duplicated jobs leave exactly one complete output per shard", async () => {
    const plainIn = tmp("dt-queue-plain-");
    const { shards, tasks } = makeCorpus(plainIn, { shards: 6, docs: 30 });
    const out = tmp("dt-queue-dup-");
    const failOnceDir = tmp("dt-queue-failonce-");
    const logDir = tmp("dt-queue-log-");
    const spec = { kind: "slow-copy", inputRoot: plainIn, outDir: out, params: { failOnceDir, logDir, delayMs: 2 } };
    // Two coordinators on the same output at once: every shard is enqueued twice.
    const a = new QueueExecutor({ redis: redis.url, queue: "t-dup", workers: 2, backoffMs: 50, pollMs: 200 });
    const b = new QueueExecutor({ redis: redis.url, queue: "t-dup", workers: 1, backoffMs: 50, pollMs: 200 });
    const [ra, rb] = await Promise.all([a.run(spec, tasks), b.run(spec, tasks)]);
    expect(ra.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rb.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const s of shards) expect(readFileSync(path.join(out, "selected", s.rel), "utf8")).toBe(s.lines.join("\n") + "\n");
    // Every shard failed once halfway, so some attempts were retried; none left a temporary.
    expect(readdirSync(failOnceDir)).toHaveLength(6);
    expect(readdirSync(logDir).length).toBeGreaterThanOrEqual(12);
    const files = allFiles(out);
    expect(files.filter((f) => path.basename(f).includes(".tmp-"))).toEqual([]);
    expect(files.filter((f) => f.startsWith("selected/"))).toHaveLength(6);
    expect((await completionStatus(new LocalStorage(out)))?.missing).toEqual([]);
  });

  it("a job whose shard path leaves the output directory is refused by the worker, without retries", async () => {
    const out = tmp("dt-queue-evil-");
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue("t-evil", { connection });
    const events = new QueueEvents("t-evil", { connection: new Redis(redis.url, { maxRetriesPerRequest: null }) });
    await events.waitUntilReady();
    const worker = startQueueWorker({ redis: redis.url, queue: "t-evil", concurrency: 1 });
    try {
      for (const shard of ["../escaped.jsonl", "/tmp/abs.jsonl", "selected/../../x.jsonl"]) {
        const job = await queue.add("slow-copy", { kind: "slow-copy", inputRoot: input, outDir: out, params: {}, shard, index: 0 }, { attempts: 3 });
        await expect(job.waitUntilFinished(events)).rejects.toThrow(/unsafe path/);
        const j = await queue.getJob(job.id!);
        expect(j?.attemptsMade).toBe(1);
      }
      expect(existsSync(path.join(out, "..", "escaped.jsonl"))).toBe(false);
      expect(existsSync(path.join(out, "..", "selected"))).toBe(false);
      // The coordinator refuses such shards before enqueueing anything.
      const q = new QueueExecutor({ redis: redis.url, queue: "t-evil" });
      await expect(q.run({ kind: "slow-copy", inputRoot: input, outDir: out, params: {} }, [{ index: 0, shard: "../x" }])).rejects.toThrow(/unsafe path/);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
      connection.disconnect();
    }
  });
});
