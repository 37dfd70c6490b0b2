/**
 * Static sharding for array jobs (Slurm job arrays, Kubernetes Indexed Jobs, or any launcher
 * that gives each process a number): rank R of W runs the shards whose index mod W = R, on its
 * own worker threads, skipping shards whose completion marker exists. No coordination between
 * ranks at all; `datatailor merge --out DIR` checks afterwards that every shard is done.
 */
import { UserError } from "../util/errors.js";
import { openStorage } from "../io/storage.js";
import { beginJob } from "./completions.js";
import { runOnPool } from "./local.js";
import { ThreadPool } from "./pool.js";
import { prepareAfterFirst, prepareFirst, type PrepareTiming } from "./prepare.js";
import type { Executor, JobSpec, RunOptions, ShardResult, ShardTask, StorageFactory } from "./types.js";

export interface RankWorld {
  rank: number;
  world: number;
  /** Where the numbers came from, for logs: "flags", "slurm", "kubernetes". */
  source: string;
}

function int(name: string, v: string | number | undefined): number | undefined {
  if (v === undefined || v === "") return undefined;
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isInteger(n)) throw new UserError(`${name} must be an integer, got '${v}'`, 2);
  return n;
}

/**
 * Resolves rank and world from flags, else SLURM_ARRAY_TASK_ID/COUNT (offset by
 * SLURM_ARRAY_TASK_MIN, since arrays may start at 1), else JOB_COMPLETION_INDEX with the world
 * from --world or DATATAILOR_WORLD (Kubernetes does not export the completion count).
 */
export function resolveRankWorld(flags: { rank?: number; world?: number }, env: NodeJS.ProcessEnv = process.env): RankWorld {
  let rank = int("--rank", flags.rank);
  let world = int("--world", flags.world) ?? int("DATATAILOR_WORLD", env.DATATAILOR_WORLD);
  let source = "flags";
  if (rank === undefined && env.SLURM_ARRAY_TASK_ID !== undefined) {
    const id = int("SLURM_ARRAY_TASK_ID", env.SLURM_ARRAY_TASK_ID)!;
    const min = int("SLURM_ARRAY_TASK_MIN", env.SLURM_ARRAY_TASK_MIN) ?? 0;
    rank = id - min;
    world ??= int("SLURM_ARRAY_TASK_COUNT", env.SLURM_ARRAY_TASK_COUNT);
    source = "slurm";
  } else if (rank === undefined && env.JOB_COMPLETION_INDEX !== undefined) {
    rank = int("JOB_COMPLETION_INDEX", env.JOB_COMPLETION_INDEX);
    source = "kubernetes";
  }
  if (rank === undefined) throw new UserError("the rank executor needs --rank R (or SLURM_ARRAY_TASK_ID, or JOB_COMPLETION_INDEX)", 2);
  if (world === undefined) throw new UserError("the rank executor needs --world W (or SLURM_ARRAY_TASK_COUNT, or DATATAILOR_WORLD)", 2);
  if (world < 1) throw new UserError(`--world must be >= 1, got ${world}`, 2);
  if (rank < 0 || rank >= world) throw new UserError(`--rank must be in [0, ${world - 1}], got ${rank}`, 2);
  return { rank, world, source };
}

/** The shards one rank owns. */
export function tasksForRank(tasks: ShardTask[], rank: number, world: number): ShardTask[] {
  return tasks.filter((t) => t.index % world === rank).sort((a, b) => a.index - b.index);
}

export interface RankExecutorOptions {
  storage?: StorageFactory;
  /** Heartbeat and waiting periods of the shared preparation (tests shorten them). */
  prepare?: PrepareTiming;
}

export class RankExecutor implements Executor {
  readonly name = "rank";
  /** A rank runs only its own shards; `datatailor merge` finishes the job. */
  readonly partial = true;
  private readonly storage: StorageFactory;
  private pool: ThreadPool | undefined;

  constructor(
    readonly rw: RankWorld,
    readonly workers = 1,
    private readonly opts: RankExecutorOptions = {},
  ) {
    this.storage = opts.storage ?? openStorage;
  }

  /** Rank 0 prepares; the other ranks wait for it, then reuse what it made. */
  prepare<T>(outDir: string, key: string, work: () => Promise<T>, log: (m: string) => void = () => {}): Promise<T> {
    const storage = this.storage(outDir);
    if (this.rw.rank === 0 || this.rw.world === 1) return prepareFirst(storage, key, work, this.opts.prepare);
    return prepareAfterFirst(storage, key, work, (m) => log(`rank ${this.rw.rank}: ${m}`), this.opts.prepare);
  }

  /** Runs this rank's shards only; the results cover those shards, not the whole job. */
  async run<P>(spec: JobSpec<P>, tasks: ShardTask[], opts: RunOptions = {}): Promise<ShardResult[]> {
    await beginJob(this.storage(spec.outDir), spec as JobSpec<unknown>, tasks, opts.log);
    const mine = tasksForRank(tasks, this.rw.rank, this.rw.world);
    if (mine.length === 0) return [];
    this.pool ??= new ThreadPool(this.workers);
    // No sweep of temporaries here: other ranks may be writing into the same directory.
    return runOnPool(this.pool, spec, mine, opts);
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = undefined;
  }
}
