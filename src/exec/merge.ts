/**
 * Finishes a sharded job run by any executor, any number of ranks or workers: checks that every
 * shard of the manifest has its completion marker, writes stats.json in datatrove's shape with
 * datatailor's reconciliation, then runs the kind's registered run-level step (select rebuilds
 * stats.json with all its steps, selection.json and report.html), so an array job ends with
 * the files a local run writes. Also sweeps temporaries of dead writers, which is safe once
 * every shard is complete.
 */
import { openStorage } from "../io/storage.js";
import { buildRunStats, TimeStats, type RunStats, type ShardStats } from "../io/stats.js";
import { mergeBadInput, type BadInputSummary } from "../io/bad-input.js";
import { completionStatus, sweepTemporaries } from "./completions.js";
import { resolveFinalizer } from "./handlers.js";
import type { ShardResult, ShardTask, StorageFactory } from "./types.js";

export interface MergeOutcome {
  outDir: string;
  kind: string;
  shards: number;
  /** Shards without a completion marker for this job (empty when complete). */
  missing: ShardTask[];
  results: ShardResult[];
  /** Present when nothing is missing. */
  stats?: RunStats;
  temporariesRemoved: number;
  /** True when the kind's own run-level step ran (and may have replaced stats.json). */
  finalized: boolean;
}

export interface MergeOptions {
  /** Write stats.json and run the kind's run-level step (default true); false only checks. */
  write?: boolean;
  log?: (m: string) => void;
  storage?: StorageFactory;
}

function badOf(r: ShardResult): BadInputSummary | undefined {
  const b = (r.summary as { bad?: BadInputSummary } | undefined)?.bad;
  return b && typeof b.total === "number" ? b : undefined;
}

/** Stats document for a set of finished shards: one step named after the task kind. */
export function statsFromResults(kind: string, results: ShardResult[]): RunStats {
  const time = new TimeStats();
  const step: Record<string, number> = { total: 0, forwarded: 0, dropped: 0, rejected: 0 };
  const shards: ShardStats[] = [];
  for (const r of results) {
    const c = r.counts;
    time.add(r.seconds);
    step.total += c.read;
    step.forwarded += c.kept;
    step.dropped += c.dropped;
    step.rejected += c.rejected;
    for (const [k, v] of Object.entries(c.extra ?? {})) step[k] = (step[k] ?? 0) + v;
    shards.push({ shard: r.shard, read: c.read, kept: c.kept, dropped: c.dropped, rejected: c.rejected, seconds: r.seconds, extra: c.extra });
  }
  const bad = mergeBadInput(results.map(badOf).filter((b): b is BadInputSummary => b !== undefined));
  return buildRunStats([{ name: kind, time_stats: time.toJSON(), stats: step }], shards, bad);
}

/** Reads the markers under `outDir`; when nothing is missing (and `write`), writes the run-level files. */
export async function mergeShards(outDir: string, opts: MergeOptions = {}): Promise<MergeOutcome> {
  const storage = (opts.storage ?? openStorage)(outDir);
  const status = await completionStatus(storage);
  if (!status) throw new Error(`${storage.location}: no completions/manifest.json, so no sharded job ran here`);
  const outcome: MergeOutcome = {
    outDir: storage.location,
    kind: status.manifest.kind,
    shards: status.manifest.shards.length,
    missing: status.missing,
    results: status.done.sort((a, b) => a.index - b.index),
    temporariesRemoved: 0,
    finalized: false,
  };
  if (status.missing.length > 0) return outcome;
  outcome.stats = statsFromResults(status.manifest.kind, outcome.results);
  if (opts.write === false) return outcome;
  await storage.writeAtomic("stats.json", JSON.stringify(outcome.stats, null, 2) + "\n");
  outcome.temporariesRemoved = (await sweepTemporaries(storage)).length;
  const finalize = await resolveFinalizer(outcome.kind);
  if (finalize) {
    await finalize({ outDir: storage.location, output: storage, results: outcome.results, log: opts.log ?? (() => {}) });
    outcome.finalized = true;
  }
  return outcome;
}
