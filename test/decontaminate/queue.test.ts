/**
 * `decontaminate` through the Redis queue (a real redis-server and a `datatailor worker`
 * process): the same clean/, contaminated/, hit tables and contamination.parquet as a local run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runCli } from "../helpers/cli.js";
import { redisAvailable, startRedis, type RedisServer } from "../exec/redis.js";
import { spawnCli, type Spawned } from "../exec/spawn.js";
import { itemTexts, plantedDocs, writeBenchmarks } from "./fixture.js";

const have = redisAvailable();

function files(root: string): Map<string, string> {
  const m = new Map<string, string>();
  const walk = (abs: string, rel: string) => {
    for (const name of readdirSync(abs).sort()) {
      const a = path.join(abs, name);
      if (statSync(a).isDirectory()) walk(a, `${rel}/${name}`);
      else m.set(`${rel}/${name}`, readFileSync(a).toString("base64"));
    }
  };
  for (const s of ["clean", "contaminated", "hits"]) walk(path.join(root, s), s);
  m.set("contamination.parquet", readFileSync(path.join(root, "contamination.parquet")).toString("base64"));
  return m;
}

describe.skipIf(!have)("decontaminate on the queue executor", () => {
  let redis: RedisServer;
  let worker: Spawned | undefined;
  let dir: string;
  beforeAll(async () => {
    redis = await startRedis();
    dir = mkdtempSync(path.join(os.tmpdir(), "dt-decon-q-"));
  });
  afterAll(async () => {
    await worker?.kill();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives the local run's outputs", async () => {
    const bench = writeBenchmarks(path.join(dir, "bench"));
    const docs = plantedDocs(await itemTexts(bench), 60, 3);
    const corpus = path.join(dir, "corpus");
    mkdirSync(corpus);
    for (let s = 0; s < 3; s++) writeFileSync(path.join(corpus, `part-${s}.jsonl`), docs.slice(s * 20, s * 20 + 20).map((d, i) => JSON.stringify({ id: `d${s}-${i}`, text: d.text })).join("\n") + "\n");
    const base = ["decontaminate", "--against", ...bench, "--corpus", corpus, "--json"];
    const local = await runCli([...base, "--out", path.join(dir, "local"), "--workers", "1"]);
    expect(local.code, local.stderr).toBe(0);
    worker = spawnCli(["worker", "--redis", redis.url, "--queue", "t-decon"]);
    await worker.waitFor(/worker: pid \d+/);
    const queued = await runCli([...base, "--out", path.join(dir, "queue"), "--executor", "queue", "--redis", redis.url, "--queue", "t-decon", "--workers", "0"]);
    expect(queued.code, queued.stderr).toBe(0);
    expect(JSON.parse(queued.stdout)).toMatchObject({ contaminated: JSON.parse(local.stdout).contaminated, reconciled: true });
    expect(JSON.parse(local.stdout).contaminated).toBeGreaterThan(20);
    expect(files(path.join(dir, "queue"))).toEqual(files(path.join(dir, "local")));
  }, 240_000);
});
