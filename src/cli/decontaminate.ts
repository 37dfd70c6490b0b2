/**
 * `datatailor decontaminate`: split a corpus into clean/ and contaminated/ by n-gram overlap
 * with benchmark evaluation items, with a table of every overlap and a report. Flags →
 * DecontaminateOptions → runDecontaminate; executor flags from executor-options.ts.
 */
import type { Command } from "commander";
import { action, log, printJson } from "./output.js";
import { usageError } from "../util/errors.js";
import { defaultThreads, numberOption } from "./options.js";
import { addExecutorOptions, buildExecutor, type ExecutorCliOptions } from "./executor-options.js";
import { DEFAULT_NGRAM, runDecontaminate } from "../pipelines/decontaminate/index.js";

interface DecontaminateFlags extends ExecutorCliOptions {
  against?: string[];
  corpus?: string[];
  out?: string;
  ngram: number;
  strict?: boolean;
  json?: boolean;
  report: boolean;
  textField?: string;
  idField?: string;
}

export function registerDecontaminate(program: Command): void {
  const cmd = program
    .command("decontaminate")
    .description("Split a corpus into clean/ and contaminated/ by n-gram overlap with benchmark evaluation items (GPT-3 / OLMo / datatrove style)")
    .option("--against <paths...>", "benchmark evaluation files or directories (every target format select reads; shapes auto-detected)")
    .option("--corpus <paths...>", "corpus shards: files, directories or globs (.jsonl, .jsonl.gz, .jsonl.zst, .parquet)")
    .option("--out <dir>", "output directory: clean/, contaminated/, contamination.parquet, stats.json, report.html")
    .option("--ngram <n>", "n-gram length in words; items shorter than n words match as a whole", numberOption("--ngram", { int: true, min: 1, max: 64 }), DEFAULT_NGRAM)
    .option("--text-field <name>", "field holding the text (default text)")
    .option("--id-field <name>", "field holding the id (default id; missing ids become <shard>:<line>)")
    .option("--strict", "fail on the first bad input line or benchmark record (exit code 3) instead of counting it")
    .option("--no-report", "skip report.html")
    .option("--json", "print a JSON summary on stdout (logs go to stderr)");
  addExecutorOptions(cmd);
  cmd.addHelpText(
    "after",
    `
Tokenisation (items and documents alike): lowercase; whitespace separates words; punctuation is
deleted; diacritics dropped (NFD); each run of digits becomes 0 (datatrove's simplify_text).
A document is contaminated when it shares any n-word sequence with an item.

Examples:
  datatailor decontaminate --against benchmarks/ --corpus 'pool/**/*.jsonl.zst' --out decon
  datatailor decontaminate --against mmlu.test.jsonl gsm8k.test.jsonl --corpus pool/ --out decon --ngram 8 --workers 8
  datatailor decontaminate --against benchmarks/ --corpus /shared/pool --out /shared/decon --executor rank   # then: datatailor merge --out /shared/decon`,
  );
  cmd.action(
    action(async (flags: DecontaminateFlags) => {
      if (!flags.against?.length) throw usageError("--against is required");
      if (!flags.corpus?.length) throw usageError("--corpus is required");
      if (!flags.out) throw usageError("--out is required");
      const workers = flags.workers ?? defaultThreads();
      const executor = buildExecutor(flags, { log, defaultWorkers: workers });
      let result;
      try {
        result = await runDecontaminate({
          against: flags.against,
          corpus: flags.corpus,
          out: flags.out,
          ngram: flags.ngram,
          workers,
          executor,
          strict: flags.strict ?? false,
          textField: flags.textField,
          idField: flags.idField,
          report: flags.report,
          progress: !flags.json,
          log,
          command: ["datatailor", ...process.argv.slice(2)].join(" "),
        });
      } finally {
        await executor.close?.();
      }
      const s = result.summary;
      if (flags.json) {
        printJson({
          outDir: result.outDir,
          shards: result.shards,
          skippedShards: result.skippedShards,
          ...(result.partial ? { partial: true } : {}),
          index: result.index,
          ...(s
            ? {
                read: s.read,
                clean: s.clean,
                contaminated: s.contaminated,
                rejected: s.rejected,
                reconciled: s.reconciled,
                hits: s.hits,
                benchmarks: s.benchmarks,
                contamination: s.contamination,
                stats: `${result.outDir}/stats.json`,
                report: s.report,
              }
            : {}),
          seconds: Number(result.seconds.toFixed(2)),
        });
      } else if (s) {
        log(`clean ${s.clean}, contaminated ${s.contaminated} of ${s.read} documents${s.rejected ? `, ${s.rejected} bad input lines` : ""}; ${s.hits} (document, item) overlaps in ${s.contamination}`);
        if (s.report) process.stdout.write(`Report: ${s.report}\n`);
      }
    }),
  );
}
