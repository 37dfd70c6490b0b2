/**
 * `datatailor demo adapt`: the adapt workflow on the bundled public-domain sample (data/demo/adapt),
 * with n-gram models trained on the spot as the pilot's base and adapted models. Registered under
 * `demo` by src/cli/demo.ts; the pipeline is loaded only when the command runs.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { action, log, printJson } from "./output.js";
import { seedOption } from "./options.js";
import { demoDataDir } from "./demo.js";
import { UserError } from "../util/errors.js";

export const DEFAULT_ADAPT_DEMO_OUT = "datatailor-demo-adapt";

export function registerAdaptDemo(demo: Command): void {
  // `demo adapt --out x`: options after the subcommand name are the subcommand's, not demo's own
  // --out. Commander hands a command the options its parent did not know, so both the program
  // (which has no options of its own but --version and --help) and demo parse positionally.
  demo.parent?.enablePositionalOptions();
  demo.enablePositionalOptions();
  demo
    .command("adapt")
    .description("Run `adapt` on a bundled sample: similarity of three domains to a reference, n-gram pilots, sweep, verdicts and a report")
    .option("--out <dir>", "output directory (models, domains.csv, report.html)", DEFAULT_ADAPT_DEMO_OUT)
    .option("--seed <n>", "random seed", seedOption("--seed"), 0)
    .option("--no-report", "skip report.html")
    .option("--json", "print a JSON summary on stdout (logs go to stderr)")
    .addHelpText("after", "\nThe sample (data/demo/adapt) is public domain: Project Gutenberg books, US presidential addresses, Tiny Shakespeare; see NOTICE.")
    .action(
      action(async (f: { out: string; seed: number; report: boolean; json?: boolean }) => {
        const data = path.join(demoDataDir(), "adapt");
        if (!existsSync(path.join(data, "reference"))) throw new UserError("the bundled adapt demo sample (data/demo/adapt) is missing from this installation");
        const { runAdaptDemo, PROXY_NOTE } = await import("../pipelines/adapt/demo.js");
        const out = path.resolve(f.out);
        log(`datatailor demo adapt: reference = Gutenberg prose; domains = held-out novels, US speeches, Shakespeare plays (${path.relative(process.cwd(), data) || data})`);
        log(`note: ${PROXY_NOTE}`);
        const t0 = performance.now();
        const r = await runAdaptDemo({ data, out, seed: f.seed, log, progress: !f.json && process.stderr.isTTY === true, report: f.report });
        const report = r.report;
        const seconds = (performance.now() - t0) / 1000;
        const summary = {
          proxy: PROXY_NOTE,
          thresholds: r.sweep.thresholds,
          correlations: r.sweep.correlations,
          domains: r.sweep.domains.map((d) => ({
            domain: d.domain,
            risk: d.risk,
            mmd2: d.similarity.mmd2,
            frechet: d.similarity.frechet,
            coverage: d.similarity.coverage,
            pValue: d.similarity.pValue,
            klDomainToReference: d.similarity.klDomainToReference,
            perplexityBase: d.tokens?.base.perplexity,
            perplexityAdapted: d.tokens?.adapted.perplexity,
            deltaPerplexity: d.deltaPerplexity,
            advice: d.advice,
          })),
          manifest: r.manifest,
          report,
          seconds: Number(seconds.toFixed(2)),
        };
        if (f.json) return printJson(summary);
        const pct = (v: number | undefined) => (v === undefined ? "-" : `${(v * 100).toFixed(1)}%`);
        process.stdout.write(`\n${r.sweep.thresholds.note}\n`);
        process.stdout.write("domain      risk     coverage   MMD²      Fréchet   ppl base → adapted   Δppl\n");
        for (const d of summary.domains) {
          process.stdout.write(
            `${d.domain.padEnd(11)} ${d.risk.padEnd(8)} ${pct(d.coverage).padStart(8)}   ${d.mmd2.toFixed(4).padEnd(8)}  ${d.frechet.toFixed(4).padEnd(8)}  ${(d.perplexityBase ?? NaN).toFixed(1).padStart(7)} → ${(d.perplexityAdapted ?? NaN).toFixed(1).padEnd(8)}  ${pct(d.deltaPerplexity)}\n`,
          );
        }
        for (const c of r.sweep.correlations) process.stdout.write(`${c.metric} vs Δppl: Pearson ${c.pearson.toFixed(2)}, Spearman ${c.spearman.toFixed(2)}\n`);
        process.stdout.write(`\nDone in ${seconds.toFixed(1)} s.${report ? `\nReport: ${report}` : ""}\n`);
      }),
    );
}
