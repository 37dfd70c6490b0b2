/**
 * `datatailor worker`: runs shard jobs from a Redis/BullMQ queue on this machine until stopped
 * (SIGINT/SIGTERM finish the current shards first; a second signal exits at once) or, with
 * --idle-exit, once the queue has been empty for that long.
 */
import type { Command } from "commander";
import { action, log } from "./output.js";
import { numberOption as parseNumber } from "./options.js";
import { probeRedis, parseRedisUrl, DEFAULT_QUEUE, redactUrl } from "../exec/redis.js";
import { startQueueWorker } from "../exec/queue-worker.js";
import { knownKinds } from "../exec/handlers.js";
// Every pipeline's shard jobs, so this worker (and its threads) can run any kind it is sent.
import "../pipelines/tasks.js";

interface WorkerFlags {
  redis: string;
  queue: string;
  concurrency: number;
  lockMs: number;
  stalledMs: number;
  allow?: string[];
  idleExit?: number;
  json?: boolean;
}

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("Run shard jobs (select scoring, ...) from a Redis queue on this machine")
    .requiredOption("--redis <url>", "Redis URL, e.g. redis://host:6379 (password in the URL is never printed)")
    .option("--queue <name>", "queue name (must match the coordinator's --queue)", DEFAULT_QUEUE)
    .option("--concurrency <n>", "shards processed at once, one thread each", parseNumber("--concurrency", { int: true, min: 1 }), 1)
    .option("--lock-ms <ms>", "job lock lifetime; a dead worker's shard is retried after about this long", parseNumber("--lock-ms", { int: true, min: 100 }), 30_000)
    .option("--stalled-ms <ms>", "how often to look for shards of dead workers", parseNumber("--stalled-ms", { int: true, min: 100 }), 30_000)
    .option("--allow <dir...>", "only accept jobs whose input and output directories lie inside these")
    .option("--idle-exit <s>", "exit after the queue has been empty this many seconds", parseNumber("--idle-exit", { min: 0 }))
    .option("--json", "print a JSON summary on exit")
    .action(
      action(async (flags: WorkerFlags) => {
        const url = parseRedisUrl(flags.redis);
        await probeRedis(url);
        const handle = startQueueWorker({
          redis: url,
          queue: flags.queue,
          concurrency: flags.concurrency,
          lockMs: flags.lockMs,
          stalledMs: flags.stalledMs,
          allowRoots: flags.allow,
          log,
        });
        let completed = 0;
        let failed = 0;
        let active = 0;
        let lastActivity = Date.now();
        handle.worker.on("completed", (job) => {
          completed++;
          active = Math.max(0, active - 1);
          lastActivity = Date.now();
          log(`worker: ${job.data.shard} done`);
        });
        handle.worker.on("failed", () => {
          failed++;
          active = Math.max(0, active - 1);
          lastActivity = Date.now();
        });
        handle.worker.on("active", () => {
          active++;
          lastActivity = Date.now();
        });
        log(`worker: pid ${process.pid}, ${flags.concurrency} thread(s), queue '${flags.queue}' at ${redactUrl(url)}; kinds: ${knownKinds().join(", ")}`);

        await new Promise<void>((resolve) => {
          let stopping = false;
          const stop = (why: string) => {
            if (stopping) {
              log("worker: second signal, exiting now");
              process.exit(130);
            }
            stopping = true;
            // Without Redis no job can be handed back or finished: stop now; the locks of
            // running shards expire and another worker redoes them.
            const force = handle.redisDown;
            log(`worker: ${why}; ${force ? "Redis is unreachable, stopping now" : "finishing current shards"}`);
            handle.close({ force }).then(resolve, resolve);
          };
          process.on("SIGINT", () => stop("SIGINT"));
          process.on("SIGTERM", () => stop("SIGTERM"));
          if (flags.idleExit !== undefined) {
            const limit = flags.idleExit * 1000;
            const t = setInterval(() => {
              if (!stopping && active === 0 && Date.now() - lastActivity > limit) {
                clearInterval(t);
                stop(`idle for ${flags.idleExit} s`);
              }
            }, Math.min(1000, Math.max(100, limit / 4)));
          }
        });
        if (flags.json) process.stdout.write(JSON.stringify({ completed, failed }) + "\n");
      }),
    );
}
