/**
 * `datatailor demo`: the README's first command. Runs a real BETR selection on the small sample
 * bundled in data/demo (400 benchmark examples as targets, ~3,200 documents from eight domains
 * in .jsonl.zst / .jsonl.gz shards; sources and licenses in NOTICE) and says where the report is.
 * Everything runs locally on CPU with the built-in embedder; nothing is downloaded.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { action, log, printJson } from "./output.js";
import { defaultThreads, numberOption as parseNumber } from "./options.js";
import { UserError, usageError } from "../util/errors.js";
import { runSelect, type SelectOptions } from "../pipelines/select/index.js";
import { discoverShards } from "../io/shards.js";
import { readRecords } from "../io/read.js";
import { BadInputLog } from "../io/bad-input.js";
import { registerAdaptDemo } from "./adapt-demo.js";
import { registerTuneDemo } from "./tune.js";

export const DEFAULT_DEMO_OUT = "datatailor-demo";
/** Share of the sample's tokens the demo keeps unless --keep or --compute says otherwise. */
export const DEFAULT_DEMO_KEEP = 0.1;

/** data/demo of this package, found from this module's location in src/ (tsx) or dist/src/ (built). */
export function demoDataDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "datatailor") {
      const data = path.join(dir, "data", "demo");
      if (existsSync(path.join(data, "corpus")) && existsSync(path.join(data, "targets"))) return data;
      break;
    }
    dir = path.dirname(dir);
  }
  throw new UserError("the bundled demo sample (data/demo) is missing from this installation");
}

interface RawFlags {
  out: string;
  json?: boolean;
  seed?: string;
  workers?: string;
  keep?: string;
  compute?: string;
  pool: "nemotron-cc" | "dclm-rw";
  report: boolean;
}

interface DemoFlags {
  out: string;
  json?: boolean;
  seed: number;
  workers?: number;
  keep?: number;
  compute?: number;
  pool: "nemotron-cc" | "dclm-rw";
  report: boolean;
}

/** Kept documents per ground-truth domain (metadata.domain of the bundled sample), read back from selected/. */
export async function keptByDomain(selectedDir: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  if (!existsSync(selectedDir)) return counts;
  const { shards } = await discoverShards([selectedDir]);
  const bad = new BadInputLog();
  for (const shard of shards) {
    for await (const rec of readRecords(shard, { bad, raw: false })) {
      const domain = typeof rec.metadata?.domain === "string" ? rec.metadata.domain : "unlabelled";
      counts[domain] = (counts[domain] ?? 0) + 1;
    }
  }
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

function pct(x: unknown): string {
  return typeof x === "number" && Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : "?";
}

export async function runDemo(flags: DemoFlags): Promise<Record<string, unknown>> {
  if (flags.keep !== undefined && flags.compute !== undefined) throw usageError("use either --keep or --compute, not both");
  const data = demoDataDir();
  const out = path.resolve(flags.out);
  const workers = flags.workers ?? defaultThreads();
  const keep = flags.compute === undefined ? (flags.keep ?? DEFAULT_DEMO_KEEP) : undefined;
  log(`datatailor demo: BETR selection on the bundled sample (${path.relative(process.cwd(), data) || data}; sources and licenses in NOTICE)`);
  log(`  targets: 100 examples each from OpenBookQA, MMLU, GSM8K, CommonsenseQA`);
  log(`  corpus:  ~3,200 documents from 8 domains (books, encyclopedia, math, trivia, speeches, reviews, web) in .jsonl.zst/.jsonl.gz shards`);
  log(
    `  keep:    ${keep !== undefined ? `${pct(keep)} of tokens` : `the compute-optimal rate for ${flags.compute} FLOPs (${flags.pool})`}; output in ${out}` +
      (flags.out === DEFAULT_DEMO_OUT ? " (the default; change it with --out DIR)" : ""),
  );
  const opts: SelectOptions = {
    target: [path.join(data, "targets")],
    corpus: [path.join(data, "corpus")],
    out,
    keep,
    compute: flags.compute,
    pool: flags.pool,
    // method, sample sizes, aggregation...: the pipeline's defaults (SELECT_DEFAULTS)
    groupBy: "domain",
    seed: flags.seed,
    workers,
    report: flags.report,
    log,
    progress: !flags.json && process.stderr.isTTY === true,
  };
  const t0 = performance.now();
  const result = await runSelect(opts);
  const seconds = (performance.now() - t0) / 1000;
  const domains = await keptByDomain(path.join(out, "selected"));
  const keptTotal = Object.values(domains).reduce((a, b) => a + b, 0);
  const summary = {
    ...result.summary,
    demo: { data, seconds: Number(seconds.toFixed(2)), keptByDomain: domains },
    outDir: result.outDir,
    report: result.reportPath,
    stats: result.statsPath,
  };
  if (!flags.json) {
    log(`\nDone in ${seconds.toFixed(1)} s. Kept ${keptTotal} documents; by source domain (the sample's labels, never seen by the selection):`);
    for (const [d, n] of Object.entries(domains)) log(`  ${d.padEnd(14)} ${String(n).padStart(5)}  ${pct(keptTotal ? n / keptTotal : 0)}`);
    log(`\nSelected shards: ${path.join(result.outDir, "selected")}`);
    log(`Scores:          ${path.join(result.outDir, "scores")}`);
    log(`Stats:           ${result.statsPath}`);
    if (result.reportPath) process.stdout.write(`Report: ${result.reportPath}\n`);
  }
  return summary;
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("Run a real BETR selection on the small sample bundled with datatailor and write a report")
    .option("--out <dir>", "output directory", DEFAULT_DEMO_OUT)
    .option("--keep <fraction>", `fraction of tokens to keep (default ${DEFAULT_DEMO_KEEP})`)
    .option("--compute <flops>", "pick the keep rate from BETR's compute-optimal filter-rate law instead")
    .option("--pool <pool>", "filter-rate law for --compute: nemotron-cc or dclm-rw", "nemotron-cc")
    .option("--workers <n>", "worker threads for scoring (default: one per core)")
    .option("--seed <n>", "random seed", "0")
    .option("--no-report", "skip report.html")
    .option("--json", "print a JSON summary on stdout (logs go to stderr)")
    .addHelpText(
      "after",
      `\nThe sample (data/demo) holds 400 target examples and ~3,200 documents under permissive licenses; see NOTICE.\nExample: npx datatailor demo --out ./datatailor-demo && open ./datatailor-demo/report.html`,
    )
    .action(
      action(async (raw: RawFlags) => {
        // Numbers are parsed here, inside action(), so a bad value is a one-line usage error (exit 2).
        const num = (name: string, v: string | undefined, o: Parameters<typeof parseNumber>[1]) => (v === undefined ? undefined : parseNumber(name, o)(v));
        const flags: DemoFlags = {
          ...raw,
          keep: num("--keep", raw.keep, { gt: 0, max: 1 }),
          compute: num("--compute", raw.compute, { gt: 0 }),
          workers: num("--workers", raw.workers, { int: true, min: 1 }),
          seed: num("--seed", raw.seed, { int: true, min: 0, max: 0xffffffff }) ?? 0,
        };
        if (flags.pool !== "nemotron-cc" && flags.pool !== "dclm-rw") throw usageError(`--pool must be nemotron-cc or dclm-rw, got '${flags.pool}'`);
        if (flags.keep !== undefined && !(flags.keep > 0)) throw usageError("--keep must be > 0");
        const summary = await runDemo(flags);
        if (flags.json) printJson(summary);
      }),
    );
  registerAdaptDemo(program.commands.find((c) => c.name() === "demo")!);
  registerTuneDemo(program.commands.find((c) => c.name() === "demo")!);
}
