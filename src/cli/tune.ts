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
import { runEval } from "../pipelines/tune/eval.js";
import { parseModels, parseShots, parseTests } from "../pipelines/tune/eval-spec.js";
import { runTuneDemo } from "../pipelines/tune/demo.js";
import { demoDataDir } from "./demo.js";
import path from "node:path";

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
    .option("--tokenizer <file>", "count tokens with a Hugging Face tokenizer.json or a .gguf model's vocabulary (default: whitespace words)")
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
          progress: process.env.DATATAILOR_NO_PROGRESS === undefined,
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


  registerTuneEval(tune);
}

interface EvalFlags {
  task?: string;
  template?: string;
  map: string;
  kind?: "generation" | "classification";
  labels?: string;
  models: string;
  tests: string;
  shots: string;
  limit: number;
  seed: number;
  resamples: number;
  maxTokens: number;
  cache?: string | false;
  predictions?: string;
  report?: string;
  strict?: boolean;
  json?: boolean;
}

function registerTuneEval(tune: Command): void {
  tune
    .command("eval")
    .description("The in-domain / out-of-domain matrix: every model on every test set at every shot count, with paired bootstrap CIs and a report")
    .requiredOption("--models <list>", "name=<spec> pairs, e.g. base=gguf:base.gguf,ft=gguf:ft.gguf,fticl=openai:http://localhost:8000/v1#fticl")
    .requiredOption("--tests <list>", "in:<file>[+<few-shot file>] / out:<file>[+<few-shot file>], comma-separated (few-shot files default to the paper's few_shot/<name>_few_shot.json)")
    .option("--task <task>", `built-in template and scoring: ${TASKS.join(" | ")}`)
    .option("--template <template>", "custom template with {field} placeholders (then --kind, and --labels for classification)")
    .addOption(new Option("--map <n>", "built-in wording: 0 (train/eval) or 1 (robustness)").choices(["0", "1"]).default("0"))
    .addOption(new Option("--kind <kind>", "with --template: generation (ROUGE-L) or classification (accuracy)").choices(["generation", "classification"]))
    .option("--labels <list>", "classification labels, comma-separated (default: the task's, e.g. positive,negative)")
    .option("--shots <list>", "in-context demos from each test set's few-shot file, e.g. 0,2,4", "0")
    .option("--limit <n>", "items per test set (the paper evaluates the first 250)", countOption("--limit", 1), 250)
    .option("--seed <n>", "bootstrap seed", countOption("--seed"), 0)
    .option("--resamples <n>", "bootstrap resamples", countOption("--resamples", 100), 2000)
    .option("--max-tokens <n>", "generation length limit", countOption("--max-tokens", 1), 60)
    .option("--cache <dir>", "response cache for resuming (default: $TMPDIR/datatailor-tune-cache; openai: models use the backend's own cache)")
    .option("--no-cache", "do not cache responses")
    .option("--predictions <file>", "write every prediction as JSONL")
    .option("--report <file>", "write an HTML report")
    .option("--strict", "stop at the first bad record (exit 3)")
    .option("--json", "print the results as one JSON document on stdout")
    .addHelpText(
      "after",
      `
Generation tasks: greedy, at most --max-tokens tokens, stop at "\\n\\n", ROUGE-L F (rouge_score, no stemming).
Classification: the label with the highest log-likelihood after the prompt where the backend gives prompt
log-probabilities (gguf:, vLLM, SGLang); otherwise the label the greedy output starts with (llama.cpp's server).
Example:
  datatailor tune eval --task summary --models base=gguf:llama2.gguf,ft=gguf:ft.gguf,fticl=gguf:fticl.gguf \\
    --tests in:data/summary/xsum_test_500.json,out:data/summary/cnn_test_500.json --shots 0,1 --report tune.html`,
    )
    .action(
      action(async (f: EvalFlags) => {
        const result = await runEval({
          task: parseTask(f.task),
          template: f.template,
          map: f.map === "1" ? 1 : 0,
          kind: f.kind,
          labels: f.labels ? f.labels.split(",").map((s) => s.trim()).filter(Boolean) : undefined,
          models: parseModels(f.models),
          tests: parseTests(f.tests),
          shots: parseShots(f.shots),
          limit: f.limit,
          seed: f.seed,
          resamples: f.resamples,
          maxTokens: f.maxTokens,
          cacheDir: f.cache === false ? false : f.cache,
          predictionsOut: f.predictions,
          report: f.report,
          strict: f.strict,
          progress: process.env.DATATAILOR_NO_PROGRESS === undefined,
          log,
        });
        if (f.json) printJson(result);
        else {
          for (const c of result.comparisons) {
            process.stdout.write(`${c.a} − ${c.b} on ${c.test} (${c.shots}-shot): ${c.diff >= 0 ? "+" : ""}${c.diff.toFixed(2)} points, 95% CI [${c.lo.toFixed(2)}, ${c.hi.toFixed(2)}]\n`);
          }
          for (const g of result.gains) {
            const out = Number.isFinite(g.outOfDomain) ? `${g.outOfDomain >= 0 ? "+" : ""}${g.outOfDomain.toFixed(2)}` : "-";
            process.stdout.write(`${g.model} (${g.shots}-shot) vs ${g.base}: in-domain ${g.inDomain >= 0 ? "+" : ""}${g.inDomain.toFixed(2)}, mean out-of-domain ${out}\n`);
          }
        }
      }),
    );
}

/** `datatailor demo tune`, registered under the shared `demo` command. */
export function registerTuneDemo(demo: Command): void {
  demo
    .command("tune")
    .description("Build FT and FTICL sets from the bundled sample (Social IQa, sentence polarity; CC BY 4.0) and check them for leakage")
    .option("--out <dir>", "output directory", "datatailor-demo-tune")
    .option("--json", "print a JSON summary on stdout (logs go to stderr)")
    .action(
      action(async (f: { out: string; json?: boolean }) => {
        const data = path.join(demoDataDir(), "tune");
        log(`datatailor demo tune: the paper's FT / FTICL construction on the bundled sample (${path.relative(process.cwd(), data) || data}; sources and licenses in NOTICE)`);
        const r = await runTuneDemo(data, f.out, log);
        const leaks = [...new Set(r.builds.flatMap((b) => (b.leaks ?? []).map((l) => `${b.task} ${l.test}[${l.testIndex}] = ${l.source}[${l.sourceIndex}] (${l.kind})`)))];
        if (f.json) printJson(r);
        else {
          log(`\nDone in ${r.seconds.toFixed(1)} s: ${r.builds.length} training sets in ${r.out}.`);
          log(`Leaks found (the sample plants these on purpose, see data/demo/tune/make-sample.py): ${leaks.length ? leaks.join("; ") : "none"}`);
        }
      }),
    );
}
