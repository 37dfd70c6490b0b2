/**
 * `datatailor select` end to end on the bundled demo sample with each executor: local threads,
 * the Redis queue (coordinator only + a `datatailor worker` process), and two rank tasks
 * followed by `datatailor merge`. Every output file must be the same (timings aside): selected
 * shards, score tables, the model, stats.json with all its steps, selection.json, report.html.
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

/** JSON without its timings (time_stats, seconds), which differ from run to run. */
function withoutTimings(text: string): string {
  return JSON.stringify(JSON.parse(text, (k, v) => (k === "time_stats" || k === "seconds" ? undefined : v)));
}

/** The report without what differs between runs: when it was made, the command line, the stage timings. */
function reportWithoutTimings(html: string): string {
  return html
    .split("<section>")
    .filter((s) => !s.startsWith("<h2>Throughput</h2>"))
    .join("<section>")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/g, "<time>")
    .replace(/<tr><td>command<\/td><td>[^<]*<\/td><\/tr>/, "")
    .replace(/<footer>[^<]*<\/footer>/, "");
}

/**
 * Every output file of a run except the executor's own bookkeeping (completion markers, which
 * hold timings, and the cached preparation's record), with timings taken out.
 */
function outputs(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const rel = path.relative(dir, path.join(e.parentPath, e.name));
    if (rel.startsWith("completions/")) continue;
    const bytes = readFileSync(path.join(dir, rel));
    if (rel === "stats.json") m.set(rel, withoutTimings(bytes.toString("utf8")));
    else if (rel === "report.html") m.set(rel, reportWithoutTimings(bytes.toString("utf8")));
    else m.set(rel, bytes.toString("base64"));
  }
  return m;
}

function expectSame(a: Map<string, string>, b: Map<string, string>) {
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  for (const [k, v] of a) expect(b.get(k) === v, `${k} differs`).toBe(true);
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
    const base = ["select", "--target", path.join(DEMO, "targets"), "--corpus", path.join(DEMO, "corpus"), "--keep", "0.2", "--method", "dsir", "--seed", "3", "--sample", "400", "--holdout", "400", "--json"];
    const local = await runCli([...base, "--out", path.join(work, "local"), "--workers", "2"]);
    expect(local.code, local.stderr).toBe(0);
    const expected = outputs(path.join(work, "local"));
    for (const f of ["stats.json", "selection.json", "report.html", "model/dsir-weights.json"]) expect(expected.has(f), f).toBe(true);
    expect(JSON.parse(readFileSync(path.join(work, "local", "stats.json"), "utf8")).steps).toHaveLength(3);

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
    // merge rebuilt the run-level files the ranks left to it: stats.json with all three steps,
    // selection.json and report.html, equal to the local run's
    expectSame(expected, outputs(rankOut));
    // rank 1 waited for rank 0's sample and weights instead of drawing and fitting them again
    expect(ranks[1].stderr).toMatch(/reusing model\//);
  });
});
