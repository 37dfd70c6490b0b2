/**
 * select's real scoring stage ("select-score": fastText classifier, kept shards, score Parquet)
 * through the queue with `datatailor worker` processes, one SIGKILLed mid-shard: the output is
 * identical to the local executor's, file for file.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { QueueExecutor } from "../../src/exec/queue.js";
import { LocalExecutor } from "../../src/exec/local.js";
import type { JobSpec } from "../../src/exec/types.js";
import { hasTool, requireTool } from "../helpers/system.js";
import { agNewsShards, FASTTEXT, trainCookingModel } from "./fixtures/agnews.js";
import { redisAvailable, startRedis, type RedisServer } from "./redis.js";
import { spawnCli, type Spawned } from "./spawn.js";
import { tmp } from "./files.js";
import "../../src/pipelines/tasks.js";

const have = redisAvailable() && requireTool("fasttext", hasTool(FASTTEXT));

function outputFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .filter((f) => f.startsWith("selected/") || f.startsWith("scores/") || f.includes(".tmp-"))
    .sort();
}

describe.skipIf(!have)("select-score through the queue with a killed worker", () => {
  let redis: RedisServer;
  const procs: Spawned[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const p of procs) await p.kill();
    await redis?.stop();
  });

  it("ends byte-identical to a local run", async () => {
    const work = tmp("dt-selq-");
    const input = path.join(work, "in");
    const tasks = agNewsShards(input, 3, 2500);
    const model = trainCookingModel(work);
    const spec = (outDir: string): JobSpec<unknown> => ({
      kind: "select-score",
      inputRoot: input,
      outDir,
      params: {
        scorer: { kind: "fasttext", model, label: "__label__baking" },
        threshold: { score: 0.02, tie: 0.5 },
        tieSeed: 7,
        histogram: { min: 0, max: 1, bins: 10 },
        nearK: 3,
        textChars: 80,
      },
    });
    const localOut = path.join(work, "local");
    const local = new LocalExecutor({ workers: 2 });
    const expected = await local.run(spec(localOut), tasks);
    await local.close();
    const kept = expected.reduce((a, r) => a + r.counts.kept, 0);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(7500);

    const args = (q: string) => ["worker", "--redis", redis.url, "--queue", q, "--lock-ms", "1500", "--stalled-ms", "500"];
    const a = spawnCli(args("t-select"));
    procs.push(a);
    await a.waitFor(/worker: pid \d+/);
    const out = path.join(work, "queue");
    const q = new QueueExecutor({ redis: redis.url, queue: "t-select", workers: 0, pollMs: 300 });
    let markersAtKill = -1;
    let b: Spawned | undefined;
    const results = await q.run(spec(out), tasks, {
      onProgress: () => {
        if (b) return;
        // Worker A is the only worker and has reported progress: it is inside a shard.
        markersAtKill = readdirSync(path.join(out, "completions/done/news"), { withFileTypes: true }).length;
        process.kill(a.pid, "SIGKILL");
        b = spawnCli(args("t-select"));
        procs.push(b);
      },
    }).catch((err) => {
      throw new Error(`${err}\nworker A:\n${a.output()}\nworker B:\n${b?.output()}`);
    });
    expect(markersAtKill).toBeGreaterThanOrEqual(0);
    expect(markersAtKill).toBeLessThan(3);
    await a.exited;
    expect(b!.output()).toMatch(/done/);
    expect(results.map((r) => r.counts)).toEqual(expected.map((r) => r.counts));
    const files = outputFiles(out);
    expect(files).toEqual(outputFiles(localOut));
    expect(files.filter((f) => f.includes(".tmp-"))).toEqual([]);
    for (const f of files) expect(readFileSync(path.join(out, f)).equals(readFileSync(path.join(localOut, f))), f).toBe(true);
  });
});
