/**
 * `npm run bench -- distributed [--shards 16] [--docs 2000] [--empty 200]`
 *
 * select's corpus-scale stage (kind "select-score": read JSONL, fastText p(label), write kept
 * shards + score Parquet) on AG News text, in one run:
 *   - local executor with 1 and 2 threads,
 *   - queue executor (real redis-server) with 1, 2 and 4 `datatailor worker` processes,
 *   - coordination overhead per shard: jobs for empty shards, queue (1 worker) vs local (1 thread).
 * Prints docs/s, ratios to the local executor, and per-shard overhead, plus what they predict
 * for 1,000 shards on 100 machines.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LocalExecutor } from "../src/exec/local.js";
import { QueueExecutor } from "../src/exec/queue.js";
import type { JobSpec, ShardTask } from "../src/exec/types.js";
import { SHARED_DATA } from "../test/helpers/cli.js";
import { startRedis } from "../test/exec/redis.js";
import { spawnCli, type Spawned } from "../test/exec/spawn.js";

function flag(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const SHARDS = flag("shards", 16);
const DOCS = flag("docs", 2000);
const EMPTY = flag("empty", 200);
const FASTTEXT = "/usr/bin/fasttext";

const work = mkdtempSync(path.join(os.tmpdir(), "dt-bench-dist-"));
const say = (m: string) => process.stderr.write(m + "\n");

function buildCorpus(): { root: string; tasks: ShardTask[]; docs: number } {
  const rows = readFileSync(path.join(SHARED_DATA, "classification/ag_news/test.csv"), "utf8").split("\n").filter(Boolean);
  const root = path.join(work, "corpus");
  mkdirSync(path.join(root, "news"), { recursive: true });
  const tasks: ShardTask[] = [];
  for (let s = 0; s < SHARDS; s++) {
    const lines: string[] = [];
    for (let d = 0; d < DOCS; d++) {
      const i = s * DOCS + d;
      const m = /^"(\d)","(.*)","(.*)"$/.exec(rows[i % rows.length]);
      lines.push(JSON.stringify({ id: `ag-${i}`, text: m ? `${m[2]}. ${m[3]}`.replace(/\\/g, " ") : rows[i % rows.length] }));
    }
    const rel = `news/${String(s).padStart(5, "0")}.jsonl`;
    writeFileSync(path.join(root, rel), lines.join("\n") + "\n");
    tasks.push({ index: s, shard: rel });
  }
  return { root, tasks, docs: SHARDS * DOCS };
}

function emptyShards(): { root: string; tasks: ShardTask[] } {
  const root = path.join(work, "empty");
  mkdirSync(root, { recursive: true });
  const tasks: ShardTask[] = [];
  for (let s = 0; s < EMPTY; s++) {
    const rel = `e${String(s).padStart(5, "0")}.jsonl`;
    writeFileSync(path.join(root, rel), "");
    tasks.push({ index: s, shard: rel });
  }
  return { root, tasks };
}

function trainModel(): string {
  if (!existsSync(FASTTEXT)) throw new Error(`${FASTTEXT} is needed to train the benchmark's classifier (apt-get install fasttext)`);
  const prefix = path.join(work, "cooking");
  execFileSync(
    FASTTEXT,
    ["supervised", "-input", path.join(SHARED_DATA, "classification/cooking-stackexchange/cooking.train"), "-output", prefix, "-dim", "64", "-epoch", "3", "-wordNgrams", "2", "-bucket", "2000000", "-thread", "1", "-seed", "1"],
    { stdio: "ignore" },
  );
  return prefix + ".bin";
}

let outN = 0;
const freshOut = () => path.join(work, `out-${outN++}`);

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

async function main() {
  say(`bench distributed: ${SHARDS} shards x ${DOCS} docs, ${EMPTY} empty shards, ${os.cpus().length} CPUs, work dir ${work}`);
  const corpus = buildCorpus();
  const model = trainModel();
  const empty = emptyShards();
  const scoreSpec = (outDir: string): JobSpec<unknown> => ({
    kind: "select-score",
    inputRoot: corpus.root,
    outDir,
    params: {
      scorer: { kind: "fasttext", model, label: "__label__baking" },
      threshold: { score: 0.02, tie: 1 },
      tieSeed: 1,
      histogram: { min: 0, max: 1, bins: 40 },
      nearK: 6,
      textChars: 600,
    },
  });
  const emptySpec = (outDir: string): JobSpec<unknown> => ({ kind: "filter-length", inputRoot: empty.root, outDir, params: {} });
  const rows: Array<{ what: string; seconds: number; docsPerS: number }> = [];

  for (const threads of [1, 2]) {
    const ex = new LocalExecutor({ workers: threads });
    // Warm the threads (tsx start, model load) on a throwaway run so timings show steady state.
    await ex.run(scoreSpec(freshOut()), corpus.tasks.slice(0, threads));
    const s = await time(() => ex.run(scoreSpec(freshOut()), corpus.tasks));
    await ex.close();
    rows.push({ what: `local, ${threads} thread(s)`, seconds: s, docsPerS: corpus.docs / s });
    say(`  local ${threads}: ${s.toFixed(2)} s`);
  }

  const redis = await startRedis();
  const workers: Spawned[] = [];
  const startWorkers = async (n: number, queue: string) => {
    const ws = Array.from({ length: n }, () => spawnCli(["worker", "--redis", redis.url, "--queue", queue, "--concurrency", "1"]));
    workers.push(...ws);
    await Promise.all(ws.map((w) => w.waitFor(/worker: pid \d+/)));
    return ws;
  };
  const stopWorkers = async (ws: Spawned[]) => {
    await Promise.all(ws.map((w) => w.kill("SIGTERM")));
  };
  try {
    for (const n of [1, 2, 4]) {
      const queue = `bench-${n}`;
      const ws = await startWorkers(n, queue);
      const q = new QueueExecutor({ redis: redis.url, queue, workers: 0, pollMs: 1000 });
      await q.run(scoreSpec(freshOut()), corpus.tasks.slice(0, n)); // warm-up: each worker loads the model
      const s = await time(() => q.run(scoreSpec(freshOut()), corpus.tasks));
      await stopWorkers(ws);
      rows.push({ what: `queue, ${n} worker process(es)`, seconds: s, docsPerS: corpus.docs / s });
      say(`  queue ${n}: ${s.toFixed(2)} s`);
    }

    // Coordination overhead: jobs that have nothing to do.
    const local = new LocalExecutor({ workers: 1 });
    await local.run(emptySpec(freshOut()), empty.tasks.slice(0, 1));
    // Best of three: the figure is small and the shared machine is noisy.
    let localEmpty = Infinity;
    for (let k = 0; k < 3; k++) localEmpty = Math.min(localEmpty, await time(() => local.run(emptySpec(freshOut()), empty.tasks)));
    await local.close();
    const ws = await startWorkers(1, "bench-empty");
    const q = new QueueExecutor({ redis: redis.url, queue: "bench-empty", workers: 0, pollMs: 1000 });
    await q.run(emptySpec(freshOut()), empty.tasks.slice(0, 1));
    let queueEmpty = Infinity;
    for (let k = 0; k < 3; k++) queueEmpty = Math.min(queueEmpty, await time(() => q.run(emptySpec(freshOut()), empty.tasks)));
    await stopWorkers(ws);

    const base = rows[0].docsPerS;
    const lines = [
      `select-score stage, ${SHARDS} shards x ${DOCS} AG News docs (${corpus.docs} docs), fastText dim 64 classifier, ${os.cpus().length} CPUs (shared, under load)`,
      ...rows.map((r) => `  ${r.what.padEnd(28)} ${r.seconds.toFixed(2).padStart(7)} s  ${r.docsPerS.toFixed(0).padStart(8)} docs/s  ${(r.docsPerS / base).toFixed(2)}x local-1`),
      `coordination overhead, ${EMPTY} empty shards, one worker (best of 3):`,
      `  local thread   ${((1000 * localEmpty) / EMPTY).toFixed(2)} ms/shard`,
      `  queue worker   ${((1000 * queueEmpty) / EMPTY).toFixed(2)} ms/shard (${(queueEmpty / localEmpty).toFixed(2)}x local)`,
    ];
    const perShardOverhead = queueEmpty / EMPTY;
    const perDoc = 1 / rows[0].docsPerS;
    const docsPerShard1k = 1_000_000; // a 1,000-shard pool of 1B docs
    const shardSeconds = docsPerShard1k * perDoc;
    const waves = Math.ceil(1000 / 100);
    lines.push(
      `prediction, 1,000 shards of ${docsPerShard1k.toLocaleString("en")} docs on 100 one-worker machines: ${waves} waves x ${shardSeconds.toFixed(0)} s/shard = ${((waves * shardSeconds) / 60).toFixed(1)} min; queue overhead ${(1000 * perShardOverhead).toFixed(1)} ms/shard = ${((100 * perShardOverhead) / shardSeconds).toFixed(4)}% of the work`,
    );
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    for (const w of workers) await w.kill("SIGKILL");
    await redis.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
