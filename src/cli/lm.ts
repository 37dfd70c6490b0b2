/**
 * `datatailor lm`: n-gram language models that are exactly KenLM's.
 *   lm train -o N [--discount-fallback [D1 [D2 [D3+]]]] [--memory SIZE] [--text FILE] [--output FILE] < text > model.arpa
 *       lmplz: interpolated modified Kneser–Ney, ARPA out (docs/lm.md)
 *   lm query [-v word|sentence|summary]... [-n] MODEL [FILE]
 *       KenLM's query: per word "word=<id> <order> <log10 p>", per line "Total: … OOV: …", perplexity summary
 *   lm score --lm <spec> FILE (lm-score.ts): any registry model, natural-log totals
 */
import os from "node:os";
import { createReadStream, fstatSync } from "node:fs";
import { Option, type Command } from "commander";
import { action, log, printJson } from "./output.js";
import { numberOption } from "./options.js";
import { registerLmScore } from "./lm-score.js";
import { EXIT, UserError, usageError } from "../util/errors.js";
import { createProgress } from "../util/progress.js";
import { writeQueued } from "../io/write-queued.js";
import { DiscountError, fallbackDiscount } from "../models/ngram/discount.js";
import { MemoryBudgetError, parseMemory, BYTES_PER_NGRAM, formatBytes } from "../models/ngram/memory.js";
import { SpecialWordError } from "../models/ngram/corpus.js";
import type { QueryPrint } from "../models/ngram/query-text.js";
import { queryArpa } from "../backends/lm/ngram.js";
import { trainLm } from "../pipelines/lm/train.js";
import { fileBytes, HUGE_PAGES_MIN_MODEL_BYTES, HUGE_PAGES_MIN_TEXT_BYTES, rerunWithHugePages, wantsHugePages } from "./huge-pages.js";

interface TrainFlags {
  order: number;
  discountFallback?: string[] | boolean;
  prune?: string[];
  memory?: string;
  skipSymbols?: boolean;
  text?: string;
  output?: string;
  json?: boolean;
}

interface QueryFlags {
  verbose?: string[];
  nullContext?: boolean;
  json?: boolean;
}

export function registerLm(program: Command): void {
  const lm = program.command("lm").description("Language models: train and query KenLM-exact n-gram models; score text with ngram:, gguf: or openai: models");
  lm.command("train")
    .description("Estimate an interpolated modified Kneser-Ney n-gram model exactly as KenLM's lmplz does; ARPA out")
    .addOption(new Option("-o, --order <N>", "order of the model").argParser(numberOption("--order", { int: true, min: 1, max: 255 })).makeOptionMandatory())
    .option("--discount-fallback [D...]", "when the closed-form discounts fail, use these for counts 1, 2, 3+ (default 0.5 1 1.5), as lmplz --discount_fallback")
    .option("--prune <t...>", "drop n-grams seen at most t times, one threshold per order from unigrams, non-decreasing, the last repeated (lmplz --prune; e.g. 0 0 1)")
    .option("--memory <size>", "memory budget for the model, e.g. 4G, 800M or 50% (of RAM); training stops with a clear error beyond it", "80%")
    .option("--skip-symbols", "treat <s>, </s> and <unk> in the text as whitespace instead of refusing them (lmplz --skip_symbols)")
    .option("--text <file>", "training text (default: stdin), one sentence per line")
    .option("--output <file>", "ARPA file to write atomically (default: stdout)")
    .option("--json", "print a JSON summary on stdout (needs --output)")
    .addHelpText(
      "after",
      `
Memory: about ${BYTES_PER_NGRAM} bytes per distinct n-gram (all orders) plus 4 bytes per word of text.
Examples:
  datatailor lm train -o 5 < corpus.txt > corpus.o5.arpa
  datatailor lm train -o 3 --discount-fallback --text tiny.txt --output tiny.arpa --json`,
    )
    .action(action(async (f: TrainFlags) => train(f)));

  lm.command("query")
    .description("Score text with an ARPA model as KenLM's query does (log10)")
    .argument("<model>", "ARPA file, plain or .gz (KenLM's or SRILM's)")
    .argument("[file]", "text to score, one sentence per line (default: stdin)")
    .option("-v, --verbose <level>", "what to print: word, sentence, summary (repeatable; default all three)", (v: string, prev: string[] = []) => [...prev, v])
    .option("-n, --null-context", "do not start each line with <s> nor end it with </s> (query -n)")
    .option("--json", "print one JSON document with the summary instead of KenLM's text")
    .addHelpText(
      "after",
      `
Output (as KenLM's query): per word "word=<vocab id> <matched n-gram length> <log10 p>" separated by tabs,
per line "Total: <log10 p> OOV: <count>", then perplexity including and excluding OOVs, OOVs and tokens.
Examples:
  datatailor lm query model.arpa test.txt
  datatailor lm query -v sentence model.arpa.gz < test.txt`,
    )
    .action(action(async (model: string, file: string | undefined, f: QueryFlags) => query(model, file, f)));

  registerLmScore(lm);
}

async function train(f: TrainFlags): Promise<void> {
  if (f.json && !f.output) throw usageError("lm train --json needs --output (stdout carries the ARPA otherwise)");
  const memory = parseMemory(f.memory ?? "80%", os.totalmem());
  if (memory === undefined || memory <= 0) throw usageError(`--memory must be a size such as 4G, 800M or 50%, got '${f.memory}'`);
  let fallback;
  if (f.discountFallback !== undefined && f.discountFallback !== false) {
    const vals = f.discountFallback === true ? undefined : f.discountFallback.map((v) => Number(v));
    if (vals && vals.some((v) => !Number.isFinite(v))) throw usageError(`--discount-fallback takes up to three numbers, got '${(f.discountFallback as string[]).join(" ")}'`);
    try {
      fallback = fallbackDiscount(vals);
    } catch (e) {
      throw usageError(`--discount-fallback: ${(e as Error).message}`);
    }
  }
  const prune = f.prune ? parsePrune(f.prune, f.order) : undefined;
  const fromFile = f.text !== undefined && f.text !== "-";
  if (wantsHugePages(fromFile ? fileBytes(f.text!) : stdinFileBytes(), HUGE_PAGES_MIN_TEXT_BYTES)) return rerunWithHugePages();
  const source = f.text ?? "stdin";
  let summary;
  try {
    summary = await trainLm(
      fromFile ? { path: f.text! } : { stream: process.stdin, name: source },
      {
        order: f.order,
        fallback,
        prune,
        skipSymbols: f.skipSymbols,
        memory,
        log: (m) => log(`lm train: ${m}`),
        progress: (textBytes) => createProgress({ label: "lm train: counting", unit: "tokens", enabled: process.env.DATATAILOR_NO_PROGRESS === undefined && textBytes > 1 << 24 }),
      },
      f.output ? { path: f.output } : { stream: process.stdout, name: "stdout" },
    );
  } catch (e) {
    if (e instanceof DiscountError) throw new UserError(`lm train: ${e.message}`);
    if (e instanceof MemoryBudgetError) throw new UserError(`lm train: ${e.message}`);
    if (e instanceof SpecialWordError) throw new UserError(`${source}:${e.line}: ${e.message.replace(/ \(line \d+\)/, "")}`, EXIT.badInput);
    throw e;
  }
  if (f.json) printJson(summary);
  else
    log(
      `lm train: order ${summary.order}, ${summary.words} words in ${summary.sentences} sentences, n-grams ${summary.ngrams.join(" / ")}, ~${formatBytes(summary.memoryBytes)}; estimated in ${summary.seconds.estimate.toFixed(1)} s, ARPA written in ${summary.seconds.write.toFixed(1)} s${f.output ? ` to ${f.output}` : ""}`,
    );
}

/** lmplz's ParsePruning: integers, at most one per order, non-decreasing, padded with the last. */
function parsePrune(values: string[], order: number): number[] {
  const t = values.map((v) => {
    if (!/^\d+$/.test(v.trim())) throw usageError(`--prune takes non-negative integer thresholds, got '${v}'`);
    return Number(v);
  });
  if (t.length > order) throw usageError(`--prune: ${t.length} thresholds for a model of order ${order}`);
  for (let i = 1; i < t.length; i++) if (t[i] < t[i - 1]) throw usageError("--prune thresholds must be non-decreasing (otherwise substrings of kept n-grams would go)");
  while (t.length < order) t.push(t[t.length - 1]);
  return t;
}

/** Size of stdin when it is a file (`< corpus.txt`); 0 for a pipe or terminal. */
function stdinFileBytes(): number {
  try {
    const st = fstatSync(0);
    return st.isFile() ? st.size : 0;
  } catch {
    return 0;
  }
}

/** The input's chunks; a read error becomes a UserError naming the file. */
async function* readOrFail(input: AsyncIterable<unknown>, file: string | undefined): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of input) yield chunk as Uint8Array;
  } catch (e) {
    throw new UserError(`cannot read ${file ?? "stdin"} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

async function query(modelPath: string, file: string | undefined, f: QueryFlags): Promise<void> {
  const levels = f.verbose ?? [];
  for (const v of levels) if (!["word", "sentence", "summary", "0", "1", "2"].includes(v)) throw usageError(`-v must be word, sentence or summary, got '${v}'`);
  const print: QueryPrint = { word: false, line: false, summary: false };
  for (const v of levels) {
    if (v === "word" || v === "2") print.word = true;
    if (v === "sentence" || v === "1" || v === "2") print.line = true;
    if (v === "summary" || v === "0" || v === "1" || v === "2") print.summary = true;
  }
  if (!print.word && !print.line && !print.summary) print.word = print.line = print.summary = true;
  if (f.json) print.word = print.line = print.summary = false;
  if (wantsHugePages(fileBytes(modelPath), HUGE_PAGES_MIN_MODEL_BYTES)) return rerunWithHugePages();
  const t0 = Date.now();
  const input = file !== undefined && file !== "-" ? createReadStream(file, { highWaterMark: 1 << 20 }) : process.stdin;
  const { model, summary: s, loadSeconds } = await queryArpa(modelPath, readOrFail(input, file), print, !f.nullContext, (b) => writeQueued(process.stdout, b));
  const t1 = t0 + loadSeconds * 1000;
  if (f.json)
    printJson({
      model: modelPath,
      order: model.order,
      ngrams: model.counts,
      perplexity: s.perplexity,
      perplexityExcludingOov: s.perplexityExcludingOov,
      oov: s.oov,
      tokens: s.tokens,
      lines: s.lines,
      log10Total: s.log10Total,
      seconds: { load: (t1 - t0) / 1000, query: (Date.now() - t1) / 1000 },
    });
}
