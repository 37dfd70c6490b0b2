/**
 * Classification data from ../shared/data converted to fastText's format (one example per
 * line, `__label__x` tokens first), written to a temp directory. Shared with bench/fasttext.ts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { SHARED_DATA } from "../helpers/cli.js";

export const CLASSIFICATION = path.join(SHARED_DATA, "classification");
export const COOKING_TRAIN = path.join(CLASSIFICATION, "cooking-stackexchange/cooking.train");
export const COOKING_VALID = path.join(CLASSIFICATION, "cooking-stackexchange/cooking.valid");
export const FASTTEXT_BIN = "/usr/bin/fasttext";

export function tempDir(prefix = "dt-fasttext-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Lower-cases and splits punctuation off words, as the fastText tutorial's preprocessing. */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/#39;/g, "'")
    .replace(/([.!?,'/()"])/g, " $1 ")
    .replace(/\s+/g, " ")
    .trim();
}

/** TSV "text<TAB>label" (optionally with a header) → fastText lines. */
export function tsvToFastText(file: string, opts: { header?: boolean; limit?: number } = {}): string[] {
  const rows = readFileSync(file, "utf8").split("\n").filter((l) => l.length > 0);
  const out: string[] = [];
  for (const row of rows.slice(opts.header ? 1 : 0)) {
    const tab = row.lastIndexOf("\t");
    if (tab < 0) continue;
    const label = row.slice(tab + 1).trim().replace(/[^A-Za-z0-9_-]/g, "");
    out.push(`__label__${label} ${normalize(row.slice(0, tab))}`);
    if (opts.limit && out.length >= opts.limit) break;
  }
  return out;
}

export function writeLines(dir: string, name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

/** AG News: train on the held-out dev slice, evaluate on the official test set. */
export function agNews(dir: string, trainLimit?: number): { train: string; valid: string } {
  return {
    train: writeLines(dir, "ag.train", tsvToFastText(path.join(CLASSIFICATION, "ag_news/alps/dev.tsv"), { limit: trainLimit })),
    valid: writeLines(dir, "ag.valid", tsvToFastText(path.join(CLASSIFICATION, "ag_news/alps/test.tsv"))),
  };
}

/** SST-2 (phrase level): train.tsv → GLUE dev (test.tsv here). */
export function sst2(dir: string, trainLimit?: number): { train: string; valid: string } {
  return {
    train: writeLines(dir, "sst2.train", tsvToFastText(path.join(CLASSIFICATION, "sst2-alps/train.tsv"), { header: true, limit: trainLimit })),
    valid: writeLines(dir, "sst2.valid", tsvToFastText(path.join(CLASSIFICATION, "sst2-alps/test.tsv"), { header: true })),
  };
}

/** Runs Debian's fasttext; returns stdout. */
export function fasttext(args: string[], input?: string): string {
  return execFileSync(FASTTEXT_BIN, args, { input, encoding: "utf8", maxBuffer: 1 << 28, stdio: ["pipe", "pipe", "pipe"] });
}

/** Parses predict-prob output lines into [{label, prob}]. */
export function parsePredictions(out: string): Array<Array<{ label: string; prob: number }>> {
  return out
    .split("\n")
    .slice(0, -1)
    .map((line) => {
      const t = line.split(" ").filter(Boolean);
      const r: Array<{ label: string; prob: number }> = [];
      for (let i = 0; i + 1 < t.length; i += 2) r.push({ label: t[i], prob: Number(t[i + 1]) });
      return r;
    });
}
