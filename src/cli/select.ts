/**
 * `datatailor select`: benchmark-targeted selection (BETR), DSIR, or an existing fastText
 * classifier, over a corpus of shards. Flags → SelectOptions → runSelect; executor flags come
 * from executor-options.ts (local threads by default).
 */
import { Option, type Command } from "commander";
import { action, log, printJson } from "./output.js";
import { usageError } from "../util/errors.js";
import { redact } from "../util/redact.js";
import { countOption, defaultThreads, fractionOption, numberOption, seedOption } from "./options.js";
import { addExecutorOptions, buildExecutor, type ExecutorCliOptions } from "./executor-options.js";
import { runSelect, SELECT_DEFAULTS, type SelectOptions } from "../pipelines/select/index.js";
import { HUGE_PAGES_MIN_MODEL_BYTES, ngramSpecBytes, rerunWithHugePages, wantsHugePages } from "./huge-pages.js";

/** Parsed flags: the pipeline's own option types where the flag maps one to one. */
export interface SelectFlags
  extends ExecutorCliOptions,
    Pick<SelectOptions, "keep" | "compute" | "keepBy" | "method" | "model" | "label" | "threshold" | "embedder" | "sample" | "holdout" | "seed" | "aggregate" | "value" | "report" | "textField" | "idField" | "groupBy" | "minTokens" | "targetField" | "decontaminateAgainst" | "lm" | "lmOrder"> {
  target?: string[];
  corpus?: string[];
  out?: string;
  pool: NonNullable<SelectOptions["pool"]>;
  allExamples?: boolean;
  strict?: boolean;
  json?: boolean;
  hashing: NonNullable<SelectOptions["hashing"]>;
  txtSplit: NonNullable<SelectOptions["txtSplit"]>;
}

/** Flags → pipeline options (executor left to the caller). Throws usage errors for bad combinations. */
export function selectOptionsFromFlags(f: SelectFlags, argv: string[] = process.argv): SelectOptions {
  if (!f.corpus?.length) throw usageError("--corpus is required");
  if (!f.out) throw usageError("--out is required");
  if (f.method !== "classifier" && f.method !== "perplexity" && !f.target?.length) throw usageError(`--target is required for --method ${f.method}`);
  if (f.method === "classifier" && !f.model) throw usageError("--method classifier needs --model <fastText .bin>");
  if (f.method !== "classifier" && f.model) throw usageError("--model only applies to --method classifier");
  const given = [f.keep, f.compute, f.threshold].filter((v) => v !== undefined).length;
  if (given > 1) throw usageError("use only one of --keep, --compute and --threshold");
  if (f.keep !== undefined && !(f.keep > 0 && f.keep <= 1)) throw usageError(`--keep must be a fraction in (0, 1], got ${f.keep}`);
  return {
    target: f.target ?? [],
    corpus: f.corpus,
    out: f.out,
    keep: f.keep,
    compute: f.compute,
    pool: f.pool,
    keepBy: f.keepBy,
    method: f.method,
    model: f.model,
    label: f.label,
    threshold: f.threshold,
    embedder: f.embedder,
    sample: f.sample,
    holdout: f.holdout,
    seed: f.seed,
    workers: f.workers ?? defaultThreads(),
    strict: f.strict ?? false,
    allExamples: f.allExamples ?? false,
    aggregate: f.aggregate,
    value: f.value,
    report: f.report,
    log,
    progress: !f.json,
    textField: f.textField,
    decontaminateAgainst: f.decontaminateAgainst,
    idField: f.idField,
    txtSplit: f.txtSplit,
    hashing: f.hashing,
    groupBy: f.groupBy,
    lm: f.lm,
    lmOrder: f.lmOrder,
    minTokens: f.minTokens,
    targetField: f.targetField,
    // The command line goes into report.html and selection.json: no key or user:pass@ in it.
    command: redact(["datatailor", ...argv.slice(2)].join(" ")),
  };
}

export function registerSelect(program: Command): void {
  const cmd = program
    .command("select")
    .description("Select the documents of a corpus that match target tasks (BETR), by DSIR importance, or by a fastText classifier")
    .option("--target <paths...>", "target examples: benchmark files or directories (JSONL; shapes auto-detected)")
    .option("--corpus <paths...>", "corpus shards: files, directories or globs (.jsonl, .jsonl.gz, .jsonl.zst, .parquet)")
    .option("--out <dir>", "output directory: selected/, scores/, model/, stats.json, report.html")
    .option("--keep <fraction>", "fraction of tokens (or docs, see --keep-by) to keep (default 0.1)", fractionOption("--keep"))
    .option("--compute <flops>", "training compute; the keep rate comes from BETR's optimal filter-rate law", numberOption("--compute", { gt: 0 }))
    .addOption(new Option("--pool <pool>", "filter-rate law for --compute").choices(["nemotron-cc", "dclm-rw"]).default(SELECT_DEFAULTS.pool))
    .addOption(new Option("--keep-by <unit>", "what --keep counts: tokens (whitespace-separated words) or docs").choices(["tokens", "docs"]).default(SELECT_DEFAULTS.keepBy))
    .addOption(new Option("--method <method>", "selection method").choices(["betr", "dsir", "classifier", "perplexity", "moore-lewis"]).default(SELECT_DEFAULTS.method))
    .option("--model <file>", "fastText .bin model for --method classifier (e.g. DCLM's OH-2.5+ELI5 filter)")
    .option("--label <label>", "positive label of --model (score = p(label))", SELECT_DEFAULTS.label)
    .option("--threshold <score>", "absolute score threshold instead of a keep fraction (e.g. 0.018112 for DCLM's top 10%)", numberOption("--threshold"))
    .option("--embedder <spec>", "BETR ranking features: 'lexical' (default: sparse tf-idf + cross-fitted logistic regression), or dense embeddings with a fastText classifier: 'lsa:128', 'tfidf:4096', 'transformers:<dir>', 'openai:<base url>[#model]'")
    .option("--sample <n>", "documents sampled to train the scorer", countOption("--sample", 2), SELECT_DEFAULTS.sample)
    .option("--holdout <n>", "held-out documents to set the threshold on", countOption("--holdout", 0), SELECT_DEFAULTS.holdout)
    .option("--seed <n>", "random seed (same seed, same output, whatever --workers)", seedOption("--seed"), SELECT_DEFAULTS.seed)
    .option("--all-examples", "use every target example instead of equal numbers per benchmark")
    .addOption(new Option("--aggregate <how>", "BETR: credit each doc by the sum of 1/rank over target examples (default), the best log2(1/rank) (the paper's max; dense embedders use it for sum) or the mean").choices(["sum", "max", "mean"]).default(SELECT_DEFAULTS.aggregate))
    .addOption(new Option("--value <how>", "BETR: rank value log2(1/r) or 1/r").choices(["log", "inverse"]).default(SELECT_DEFAULTS.value))
    .addOption(new Option("--hashing <mode>", "DSIR n-gram hashing: fast, or dsir-compatible (sha256, reference buckets)").choices(["fast", "dsir-compatible"]).default(SELECT_DEFAULTS.hashing))
    .option("--lm <spec>", "perplexity: the language model, ngram:<model.arpa>, gguf:<model.gguf> or openai:<base-url>[#model] (CCNet keeps the lowest perplexity)")
    .option("--lm-order <n>", "moore-lewis: order of the target and corpus n-gram models (default 3)", countOption("--lm-order", 1))
    .option("--group-by <field>", "break the kept share down by this metadata field in the report and summary (e.g. source, domain, lang; dotted paths allowed)")
    .option("--min-tokens <n>", "DSIR: documents with fewer tokens are masked, never kept (DSIR's rule; default 100)", countOption("--min-tokens", 0))
    .option("--target-field <name>", "field holding the target text in target files of your own (CSV/TSV columns or JSON fields); default: benchmark shapes are detected")
    .option("--text-field <name>", "field holding the text (default text)")
    .option("--id-field <name>", "field holding the id (default id; missing ids become <shard>:<line>)")
    .addOption(new Option("--txt-split <how>", "plain .txt shards: one document per file, or per blank-line-separated paragraph").choices(["file", "paragraphs"]).default("file"))
    .option("--strict", "fail on the first bad input line (exit code 3) instead of counting it")
    .option("--decontaminate-against <paths...>", "benchmark files or dirs: drop kept documents sharing a 13-gram with an item (see docs/decontaminate.md); without it, kept documents are checked against the evaluation splits beside the targets")
    .option("--no-report", "skip report.html")
    .option("--json", "print a JSON summary on stdout (logs go to stderr)");
  addExecutorOptions(cmd);
  cmd.addHelpText(
    "after",
    `
Examples:
  datatailor select --target benchmarks/ --corpus 'pool/**/*.jsonl.zst' --out sel --keep 0.1
  datatailor select --target arc.jsonl --corpus pool/ --out sel --compute 1e21 --pool dclm-rw
  datatailor select --method dsir --target mine.jsonl --corpus pool/ --out sel --keep 0.05
  datatailor select --method classifier --model dclm.bin --threshold 0.018112 --corpus pool/ --out sel`,
  );
  cmd.action(
    action(async (flags: SelectFlags) => {
      if (wantsHugePages(ngramSpecBytes(flags.lm), HUGE_PAGES_MIN_MODEL_BYTES)) return rerunWithHugePages();
      const opts = selectOptionsFromFlags(flags);
      opts.executor = buildExecutor(flags, { log, defaultWorkers: opts.workers });
      let result;
      try {
        // Argument checks throw usage errors (exit 2); anything else, a RangeError included, is a failure (exit 1).
        result = await runSelect(opts);
      } finally {
        await opts.executor.close?.();
      }
      if (flags.json) printJson(result.summary);
      else {
        const s = result.summary;
        log(`kept ${s.kept} of ${s.read} docs (${s.tokensKept} of ${s.tokensRead} tokens)${s.rejected ? `, ${s.rejected} bad input lines` : ""}`);
        log(`selected: ${result.outDir}/selected  scores: ${result.outDir}/scores  stats: ${result.statsPath}`);
        if (result.reportPath) process.stdout.write(`Report: ${result.reportPath}\n`);
      }
    }),
  );
}
