/**
 * stats.json in datatrove's shape — a list of steps, each `{name, time_stats, stats}` with
 * `stats: {total, forwarded, dropped, dropped_<reason>, ...}` — plus datatailor's
 * reconciliation `read = kept + dropped + rejected`, per shard and in total, and the bad-input
 * summary. `mergeStats` combines the files of several ranks/workers (used by `merge`).
 */
import { promises as fs } from "node:fs";
import { writeFileAtomic } from "./atomic.js";
import { mergeBadInput, type BadInputSummary } from "./bad-input.js";

/** Timing of a step over its calls, mergeable (parallel Welford). */
export interface TimeStatsJSON {
  total: number;
  n: number;
  mean: number;
  variance: number;
  std_dev: number;
  min: number;
  max: number;
}

export class TimeStats {
  n = 0;
  total = 0;
  mean = 0;
  private m2 = 0;
  min = Infinity;
  max = -Infinity;

  add(seconds: number): void {
    this.n++;
    this.total += seconds;
    const d = seconds - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (seconds - this.mean);
    if (seconds < this.min) this.min = seconds;
    if (seconds > this.max) this.max = seconds;
  }

  merge(o: TimeStatsJSON | TimeStats): this {
    const j = o instanceof TimeStats ? o.toJSON() : o;
    if (j.n === 0) return this;
    const n = this.n + j.n;
    const d = j.mean - this.mean;
    const m2b = j.variance * j.n;
    this.m2 += m2b + (d * d * this.n * j.n) / n;
    this.mean += (d * j.n) / n;
    this.n = n;
    this.total += j.total;
    this.min = Math.min(this.min, j.min);
    this.max = Math.max(this.max, j.max);
    return this;
  }

  toJSON(): TimeStatsJSON {
    const variance = this.n > 0 ? this.m2 / this.n : 0;
    return {
      total: this.total,
      n: this.n,
      mean: this.n ? this.mean : 0,
      variance,
      std_dev: Math.sqrt(variance),
      min: this.n ? this.min : 0,
      max: this.n ? this.max : 0,
    };
  }

  static fromJSON(j: TimeStatsJSON): TimeStats {
    return new TimeStats().merge(j);
  }
}

/** One step of a pipeline, as datatrove writes it. */
export interface StepStats {
  name: string;
  time_stats: TimeStatsJSON;
  stats: Record<string, number>;
}

/** Counts a step: `forward()`, `drop(reason)`, free counters with `inc()`; time with `time()`. */
export class StepCounter {
  readonly time = new TimeStats();
  readonly counts: Record<string, number> = { total: 0, forwarded: 0, dropped: 0 };
  constructor(readonly name: string) {}

  forward(n = 1): void {
    this.counts.total! += n;
    this.counts.forwarded! += n;
  }

  drop(reason?: string, n = 1): void {
    this.counts.total! += n;
    this.counts.dropped! += n;
    if (reason) this.inc(`dropped_${reason}`, n);
  }

  inc(key: string, n = 1): void {
    this.counts[key] = (this.counts[key] ?? 0) + n;
  }

  toJSON(): StepStats {
    return { name: this.name, time_stats: this.time.toJSON(), stats: { ...this.counts } };
  }
}

export interface ShardStats {
  shard: string;
  read: number;
  kept: number;
  dropped: number;
  rejected: number;
  seconds?: number;
  extra?: Record<string, number>;
}

export interface Totals {
  read: number;
  kept: number;
  dropped: number;
  rejected: number;
}

/** The whole stats.json document. */
export interface RunStats {
  steps: StepStats[];
  shards: ShardStats[];
  totals: Totals;
  /** True when read = kept + dropped + rejected for every shard and in total. */
  reconciled: boolean;
  /** Shards whose counts do not add up (empty when reconciled). */
  unreconciled: string[];
  bad_input: BadInputSummary;
}

export function reconciles(c: Totals): boolean {
  return c.read === c.kept + c.dropped + c.rejected;
}

/** Builds the document from steps, per-shard counts and the bad-input summary. */
export function buildRunStats(steps: Array<StepStats | StepCounter>, shards: ShardStats[], bad: BadInputSummary): RunStats {
  const sorted = [...shards].sort((a, b) => (a.shard < b.shard ? -1 : a.shard > b.shard ? 1 : 0));
  const totals: Totals = { read: 0, kept: 0, dropped: 0, rejected: 0 };
  for (const s of sorted) {
    totals.read += s.read;
    totals.kept += s.kept;
    totals.dropped += s.dropped;
    totals.rejected += s.rejected;
  }
  const unreconciled = sorted.filter((s) => !reconciles(s)).map((s) => s.shard);
  return {
    steps: steps.map((s) => (s instanceof StepCounter ? s.toJSON() : s)),
    shards: sorted,
    totals,
    reconciled: unreconciled.length === 0 && reconciles(totals),
    unreconciled,
    bad_input: bad,
  };
}

/**
 * Merges stats documents of several ranks/workers: steps with the same name are summed (counts
 * added, timings merged), shards are combined (a shard present twice — a retried rank — keeps
 * its last occurrence), bad input is merged deterministically.
 */
export function mergeStats(parts: RunStats[], maxExamples = 20): RunStats {
  const steps = new Map<string, { time: TimeStats; stats: Record<string, number> }>();
  const shards = new Map<string, ShardStats>();
  for (const p of parts) {
    for (const s of p.steps) {
      let acc = steps.get(s.name);
      if (!acc) steps.set(s.name, (acc = { time: new TimeStats(), stats: {} }));
      acc.time.merge(s.time_stats);
      for (const [k, v] of Object.entries(s.stats)) acc.stats[k] = (acc.stats[k] ?? 0) + v;
    }
    for (const sh of p.shards) shards.set(sh.shard, sh);
  }
  const stepList: StepStats[] = [...steps].map(([name, a]) => ({ name, time_stats: a.time.toJSON(), stats: a.stats }));
  return buildRunStats(stepList, [...shards.values()], mergeBadInput(parts.map((p) => p.bad_input), maxExamples));
}

export async function writeStats(path: string, stats: RunStats): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(stats, null, 2) + "\n");
}

export async function readStats(path: string): Promise<RunStats> {
  const text = await fs.readFile(path, "utf8");
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const d = doc as Partial<RunStats>;
  if (!d || !Array.isArray(d.steps) || !Array.isArray(d.shards) || !d.totals || !d.bad_input)
    throw new Error(`${path}: not a datatailor stats.json (needs steps, shards, totals, bad_input)`);
  return d as RunStats;
}
