/**
 * `datatailor merge --out DIR`: after array tasks or queue workers finished a sharded job,
 * checks that every shard has its completion marker and combines their counts into
 * DIR/stats.json (datatrove's shape, with read = kept + dropped + rejected checked per shard).
 * Exits 1 with the list of missing shards otherwise, so a Slurm dependency can gate on it.
 */
import type { Command } from "commander";
import { action, log, printJson } from "./output.js";
import { UserError } from "../util/errors.js";
import { mergeShards } from "../exec/merge.js";
// Every pipeline's shard jobs and run-level steps, so merge can finish any of them.
import "../pipelines/tasks.js";

const SHOWN = 20;

export function registerMerge(program: Command): void {
  program
    .command("merge")
    .description("Check that every shard of a sharded run is done and combine per-shard stats into stats.json")
    .requiredOption("--out <dir>", "the output directory of the run (holds completions/)")
    .option("--json", "print a JSON summary on stdout")
    .action(
      action(async (flags: { out: string; json?: boolean }) => {
        let outcome;
        try {
          outcome = await mergeShards(flags.out, { log });
        } catch (err) {
          throw new UserError((err as Error).message);
        }
        const missing = outcome.missing.map((t) => t.shard);
        if (flags.json) {
          printJson({
            ok: missing.length === 0 && Boolean(outcome.stats?.reconciled),
            out: outcome.outDir,
            kind: outcome.kind,
            shards: outcome.shards,
            done: outcome.results.length,
            missing,
            totals: outcome.stats?.totals,
            reconciled: outcome.stats?.reconciled,
            unreconciled: outcome.stats?.unreconciled,
            stats: outcome.stats ? `${outcome.outDir}/stats.json` : undefined,
          });
        }
        if (missing.length > 0) {
          const list = missing.slice(0, SHOWN).join(", ") + (missing.length > SHOWN ? `, ... (${missing.length - SHOWN} more)` : "");
          throw new UserError(`${outcome.outDir}: ${missing.length} of ${outcome.shards} shards not done: ${list}`);
        }
        const s = outcome.stats!;
        if (!s.reconciled) throw new UserError(`${outcome.outDir}: counts do not reconcile (read != kept + dropped + rejected) for: ${s.unreconciled.slice(0, SHOWN).join(", ")}`);
        if (!flags.json) {
          const t = s.totals;
          log(`merged ${outcome.shards} shards of '${outcome.kind}': read ${t.read} = kept ${t.kept} + dropped ${t.dropped} + rejected ${t.rejected}`);
          log(`wrote ${outcome.outDir}/stats.json`);
        }
      }),
    );
}
