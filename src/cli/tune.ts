/**
 * `datatailor tune`: fine-tuning sets with in-context examples (FTICL, Yang et al. 2024), a
 * leakage check against test sets, ROUGE-L scoring, and the in-domain / out-of-domain
 * evaluation matrix for models served locally (gguf:) or by an OpenAI-compatible server.
 */
import { Option, type Command } from "commander";
import { action, log, printJson } from "./output.js";
import { countOption } from "./options.js";
import { usageError } from "../util/errors.js";
import { runBuild } from "../pipelines/tune/build.js";
import { FORMATS, type OutputFormat } from "../pipelines/tune/formats.js";
import { scorePredictions } from "../pipelines/tune/score.js";
import { TASKS, isTask, type TaskName } from "../pipelines/tune/templates.js";

interface BuildFlags {
  task?: string;
  template?: string;
  map: string;
  train: string;
  demos?: string;
  k: number;
  format: OutputFormat;
  out: string;
  test?: string[];
  testLimit?: number;
  maxLength?: number;
  tokenizer?: string;
  lengths?: string;
  strict?: boolean;
  json?: boolean;
}

export function parseTask(s: string | undefined): TaskName | undefined {
  if (s === undefined) return undefined;
  if (!isTask(s)) throw usageError(`--task must be one of ${TASKS.join(", ")}, got '${s}'`);
  return s;
}

export function registerTune(program: Command): void {
  const tune = program
    .command("tune")
    .description("Fine-tuning sets with in-context examples (FTICL), leakage checks, ROUGE-L and the in/out-of-domain matrix (Yang et al. 2024)");

  tune
    .command("build")
    .description("Build an FT (k = 0) or FTICL (k > 0) training set as the paper does, in a trainer's format")
    .option("--task <task>", `built-in template: ${TASKS.join(" | ")}`)
    .option("--template <template>", 'custom template with {field} placeholders, e.g. "### Input:\\n{input}\\n### Summary:"')
    .addOption(new Option("--map <n>", "built-in wording: 0 (the paper's train/eval prompts) or 1 (its robustness wording)").choices(["0", "1"]).default("0"))
    .requiredOption("--train <file>", "training records (.json array, .jsonl[.gz|.zst], .parquet) with the template's fields and output")
    .option("--demos <file>", "demonstration records (default: the first k training records, which then leave the examples)")
    .option("--k <k>", "demonstrations in every prompt (0 = plain fine-tuning)", countOption("--k"), 0)
    .addOption(new Option("--format <format>", "output format").choices([...FORMATS]).default("trl"))
    .requiredOption("--out <file>", "output JSONL (written atomically)")
    .option("--test <files...>", "test sets to check demos and training data against (leakage)")
    .option("--test-limit <n>", "check only the first n items of each test set (the paper evaluates 250)", countOption("--test-limit", 1))
    .option("--max-length <n>", "warn about examples longer than n tokens (the trainer truncates them)", countOption("--max-length", 1))
    .option("--tokenizer <file>", "count tokens with a Hugging Face tokenizer.json (default: whitespace words)")
    .option("--lengths <file>", "write per-example token counts as JSONL")
    .option("--strict", "stop at the first bad record (exit 3)")
    .option("--json", "print a JSON summary on stdout (logs go to stderr)")
    .addHelpText(
      "after",
      `
The paper's construction: prompt = Σ_{first k demos} (template(d) + d.output + "\\n\\n") + template(x);
completion = x.output (the trainer appends EOS). The label follows the template's colon with no space.
Example:
  datatailor tune build --task summary --train xsum_train_2000.json --demos xsum_few_shot.json --k 2 \\
    --format trl --out fticl.jsonl --test xsum_test_500.json cnn_test_500.json --test-limit 250 --json`,
    )
    .action(
      action(async (f: BuildFlags) => {
        const summary = await runBuild({
          task: parseTask(f.task),
          template: f.template,
          map: f.map === "1" ? 1 : 0,
          train: f.train,
          demos: f.demos,
          k: f.k,
          format: f.format,
          out: f.out,
          tests: f.test,
          testLimit: f.testLimit,
          maxLength: f.maxLength,
          tokenizer: f.tokenizer,
          lengthsOut: f.lengths,
          strict: f.strict,
          progress: !f.json && process.stderr.isTTY === true ? true : undefined,
          log,
        });
        if (f.json) printJson(summary);
        else {
          log(`wrote ${summary.examples} examples (${summary.format}, k=${summary.k}) to ${summary.out}`);
          const t = summary.tokens.total;
          log(`${summary.tokenizer === "whitespace" ? "words" : "tokens"} per example: min ${t.min}, median ${t.p50}, p95 ${t.p95}, max ${t.max}`);
        }
      }),
    );

  tune
    .command("score")
    .description("ROUGE-L (rouge_score, no stemming) of predictions, plus accuracy when records have a label")
    .requiredOption("--predictions <file>", "JSONL with prediction, reference[, label]")
    .option("--strict", "stop at the first bad record (exit 3)")
    .option("--json", "print a JSON summary on stdout")
    .action(
      action(async (f: { predictions: string; strict?: boolean; json?: boolean }) => {
        const s = await scorePredictions(f.predictions, { strict: f.strict });
        if (f.json) printJson(s);
        else {
          process.stdout.write(`ROUGE-L F ${(100 * s.rougeL).toFixed(2)} (P ${(100 * s.precision).toFixed(2)}, R ${(100 * s.recall).toFixed(2)}) over ${s.n} predictions\n`);
          if (s.accuracy !== undefined) process.stdout.write(`accuracy ${(100 * s.accuracy).toFixed(2)}% over ${s.labelled} labelled\n`);
          if (s.badInput.total > 0) log(`bad input: ${s.badInput.total} records skipped`);
        }
      }),
    );

}
