/**
 * The executor flags shared by commands with a corpus-scale stage (select): adds
 * `--executor local|queue|rank --redis URL --queue NAME --rank R --world W` (and optionally
 * `--workers N`) to a commander Command, and builds the Executor from the parsed options.
 */
import { Option, type Command } from "commander";
import { numberOption as parseNumber } from "./options.js";
import { usageError } from "../util/errors.js";
import { LocalExecutor } from "../exec/local.js";
import { QueueExecutor } from "../exec/queue.js";
import { RankExecutor, resolveRankWorld } from "../exec/rank.js";
import { DEFAULT_QUEUE, parseRedisUrl } from "../exec/redis.js";
import type { Executor } from "../exec/types.js";

export interface ExecutorCliOptions {
  executor?: "local" | "queue" | "rank";
  redis?: string;
  queue?: string;
  rank?: number;
  world?: number;
  workers?: number;
}

export function addExecutorOptions(cmd: Command, opts: { workers?: boolean } = {}): Command {
  cmd
    .addOption(new Option("--executor <kind>", "where shard jobs run: local threads, a Redis queue, or this rank of an array job").choices(["local", "queue", "rank"]).default("local"))
    .option("--redis <url>", "Redis URL for --executor queue (redis://host:6379)")
    .option("--queue <name>", "queue name for --executor queue", DEFAULT_QUEUE)
    .option("--rank <r>", "this task's rank for --executor rank (default: SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX)", parseNumber("--rank", { int: true, min: 0 }))
    .option("--world <w>", "number of ranks for --executor rank (default: SLURM_ARRAY_TASK_COUNT or DATATAILOR_WORLD)", parseNumber("--world", { int: true, min: 1 }));
  if (opts.workers !== false) cmd.option("--workers <n>", "worker threads on this machine (queue: 0 = coordinator only)", parseNumber("--workers", { int: true, min: 0 }));
  return cmd;
}

/** Builds the executor; `log` receives one-line notes (where the work goes, rank/world). */
export function buildExecutor(o: ExecutorCliOptions, extra: { log?: (m: string) => void; defaultWorkers?: number } = {}): Executor {
  const kind = o.executor ?? "local";
  const workers = o.workers ?? extra.defaultWorkers;
  if (kind !== "queue" && o.redis) throw usageError("--redis only applies to --executor queue");
  if (kind !== "rank" && (o.rank !== undefined || o.world !== undefined)) throw usageError("--rank/--world only apply to --executor rank");
  switch (kind) {
    case "local":
      if (workers === 0) throw usageError("--workers 0 only makes sense with --executor queue (coordinator only)");
      return new LocalExecutor({ workers: workers ?? 1 });
    case "queue":
      if (!o.redis) throw usageError("--executor queue needs --redis URL");
      return new QueueExecutor({ redis: parseRedisUrl(o.redis), queue: o.queue, workers: workers ?? 0, log: extra.log });
    case "rank": {
      const rw = resolveRankWorld({ rank: o.rank, world: o.world });
      extra.log?.(`rank ${rw.rank} of ${rw.world} (from ${rw.source})`);
      if (workers === 0) throw usageError("--workers must be at least 1 with --executor rank");
      return new RankExecutor(rw, workers ?? 1);
    }
    default:
      throw usageError(`unknown executor '${String(kind)}' (local, queue, rank)`);
  }
}
