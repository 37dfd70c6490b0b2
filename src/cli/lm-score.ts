/**
 * `datatailor lm score --lm <spec> FILE`: per-line total log-probability (natural log), scored
 * token count and perplexity under any language model of the registry (ngram:, gguf:, openai:).
 * One text per line; `-` reads stdin. Plain output is TSV on stdout
 * (`line  logprob  tokens  perplexity`) with the total on stderr; --json prints one document.
 *
 * `registerLmScore(lm)` attaches `score` to the `lm` command (src/cli/lm.ts, with train and query).
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { action, log, printJson } from "./output.js";
import { countOption } from "./options.js";
import { UserError } from "../util/errors.js";
import { HUGE_PAGES_MIN_MODEL_BYTES, ngramSpecBytes, rerunWithHugePages, wantsHugePages } from "./huge-pages.js";

interface ScoreFlags {
  lm: string;
  json?: boolean;
  batch: number;
  context?: number;
  threads?: number;
  concurrency?: number;
  cache?: string | false;
}

export function registerLmScore(lm: Command): void {
  lm.command("score")
    .description("Score each line of a text file with a language model: total ln p, tokens, perplexity")
    .requiredOption("--lm <spec>", "ngram:<file.arpa> | gguf:<file.gguf> | openai:<base-url>[#model][&key_env=VAR]")
    .argument("<file>", "text file, one text per line ('-' for stdin)")
    .option("--batch <n>", "lines per scoring call", countOption("--batch", 1), 64)
    .option("--context <n>", "gguf: context window in tokens (default: the model's, at most 4096)", countOption("--context", 8))
    .option("--threads <n>", "gguf: llama.cpp CPU threads (default: its choice)", countOption("--threads", 1))
    .option("--concurrency <n>", "openai: requests in flight", countOption("--concurrency", 1))
    .option("--cache <dir>", "openai: response cache directory (default ~/.cache/datatailor/lm-openai)")
    .option("--no-cache", "openai: do not read or write the response cache")
    .option("--json", "print one JSON document on stdout")
    .action(action(async (file: string, flags: ScoreFlags) => runScore(file, flags)));
}

async function readLines(file: string): Promise<string[]> {
  let text: string;
  try {
    text = file === "-" ? await readStdin() : await readFile(file, "utf8");
  } catch (e) {
    throw new UserError(`lm score: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function runScore(file: string, flags: ScoreFlags): Promise<void> {
  if (wantsHugePages(ngramSpecBytes(flags.lm), HUGE_PAGES_MIN_MODEL_BYTES)) return rerunWithHugePages();
  const { openLanguageModel, scoreTexts, summarize } = await import("../backends/lm/index.js");
  const lines = await readLines(file);
  const lm = await openLanguageModel(flags.lm, {
    log,
    contextSize: flags.context,
    threads: flags.threads,
    concurrency: flags.concurrency,
    cacheDir: flags.cache === false ? false : flags.cache,
  });
  const ac = new AbortController();
  const onSigint = () => ac.abort(new UserError("lm score: interrupted"));
  process.once("SIGINT", onSigint);
  try {
    const started = Date.now();
    const scored = await scoreTexts(lm, lines, { batchSize: flags.batch, label: "lm score", signal: ac.signal });
    const rows = scored.map((s, i) => ({ line: i + 1, ...summarize(s) }));
    let lp = 0;
    let n = 0;
    let oov = 0;
    for (const r of rows) {
      lp += r.logprob;
      n += r.tokens;
      oov += r.oov;
    }
    const total = { lines: rows.length, tokens: n, logprob: lp, perplexity: n > 0 ? Math.exp(-lp / n) : null, oov };
    const seconds = (Date.now() - started) / 1000;
    if (flags.json) {
      printJson({
        lm: lm.id,
        file,
        tokenizer: lm.tokenizer,
        lines: rows.map((r) => ({ line: r.line, logprob: r.logprob, tokens: r.tokens, perplexity: Number.isFinite(r.perplexity) ? r.perplexity : null, ...(r.oov ? { oov: r.oov } : {}) })),
        total,
        seconds,
      });
    } else {
      const out: string[] = ["line\tlogprob\ttokens\tperplexity"];
      for (const r of rows) out.push(`${r.line}\t${r.logprob.toFixed(6)}\t${r.tokens}\t${Number.isFinite(r.perplexity) ? r.perplexity.toFixed(6) : "nan"}`);
      process.stdout.write(out.join("\n") + "\n");
      log(`${lm.id}: ${total.lines} lines, ${n} tokens, total ln p ${lp.toFixed(4)}, perplexity ${total.perplexity === null ? "n/a" : total.perplexity.toFixed(4)} (${seconds.toFixed(1)} s)`);
    }
  } finally {
    process.off("SIGINT", onSigint);
    await lm.close();
  }
}
