/**
 * `adapt tokens`: after a pilot run, where did perplexity on the domain move? Both models score
 * the domain's test text through the LM layer; with a shared tokenizer every token type gets its
 * delta Σ(ln p_adapted − ln p_base), classes, the informative-only perplexity and the
 * concentration of the change (src/models/adapt/attribution.ts). Lines are sentences for
 * word-level (n-gram) models, which see <s> … </s> per line as KenLM does; subword models score
 * whole documents, newlines included. Models with different tokenizers are compared in bits per
 * byte only, and the result says so.
 */
import type { AdaptReportModel } from "../../report/adapt-report.js";
import { readFile } from "node:fs/promises";
import { BadInputLog } from "../../io/bad-input.js";
import { readRecords } from "../../io/read.js";
import { discoverShards } from "../../io/shards.js";
import type { LanguageModel, ScoredText } from "../../backends/lm/types.js";
import { attributeTokens, TokenizationMismatch, type Attribution } from "../../models/adapt/attribution.js";
import { adviceFor } from "../../models/adapt/advice.js";
import { UserError } from "../../util/errors.js";
import { scoreTexts } from "../../backends/lm/index.js";
import { pushAll } from "../../util/array.js";
import { openLm, sameTokenizer, vocabularyFree } from "./lm.js";
import { reportTokens } from "./report.js";

export type ScoringUnit = "line" | "doc";

export interface TokensOptions {
  base: string;
  adapted: string;
  data: string[];
  top?: number;
  unit?: ScoringUnit | "auto";
  /** At most this many texts (lines or documents), the first ones read. */
  limit?: number;
  worst?: number;
  textField?: string;
  strict?: boolean;
  /** Write an HTML report here (the last step). */
  report?: string;
  log?: (m: string) => void;
  progress?: boolean;
  /** Already opened models (tests, sweeps); closed by the caller. */
  models?: { base: LanguageModel; adapted: LanguageModel };
}

/** One model's figures, as the report shows them (report/adapt-report.ts declares them). */
export type ModelSummary = AdaptReportModel;

/** One bin of the per-type delta histogram, over every token type (whatever --top keeps). */
export interface DeltaBin {
  from: number;
  to: number;
  types: number;
}

/** `bins` equal-width bins from the smallest to the largest delta. */
export function deltaHistogram(deltas: number[], bins = 40): DeltaBin[] {
  if (!deltas.length) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const d of deltas) {
    if (d < lo) lo = d;
    if (d > hi) hi = d;
  }
  if (hi === lo) return [{ from: lo, to: hi, types: deltas.length }];
  const w = (hi - lo) / bins;
  const out = Array.from({ length: bins }, (_, i) => ({ from: lo + i * w, to: lo + (i + 1) * w, types: 0 }));
  for (const d of deltas) out[Math.min(bins - 1, Math.floor((d - lo) / w))].types++;
  return out;
}

export interface TokensResult {
  base: ModelSummary;
  adapted: ModelSummary;
  unit: ScoringUnit;
  texts: number;
  bytes: number;
  /** "tokens" when both models share a tokenizer, "bits-per-byte" otherwise. */
  comparison: "tokens" | "bits-per-byte";
  note?: string;
  /** adapted / base − 1 on the comparison's measure (perplexity, or bits per byte). */
  relativeChange: number;
  /** Token types sorted by delta, most degraded first (the first --top of them); absent across tokenizers. */
  tokens?: Attribution["tokens"];
  /** Token types in all, whatever --top keeps. */
  tokenTypes?: number;
  totalDelta?: number;
  classes?: Attribution["classes"];
  /** Perplexity of each model without the non-informative classes. */
  informative?: Attribution["informative"];
  concentration?: Attribution["concentration"];
  worst?: Attribution["worst"];
  histogram?: DeltaBin[];
  advice: string[];
  badInput: ReturnType<BadInputLog["toJSON"]>;
}

/**
 * The texts to score: records of JSONL/Parquet shards (their text split into lines for the line
 * unit), or plain .txt files whose lines are the sentences. Lines split on \n only and an empty
 * line is a sentence too (<s> </s>), as KenLM's query reads a file; a newline ending the text does
 * not open another line. In the doc unit, .txt documents are separated by blank lines.
 */
export async function readTexts(inputs: string[], unit: ScoringUnit, opts: { textField?: string; strict?: boolean; limit?: number; bad: BadInputLog }): Promise<string[]> {
  const out: string[] = [];
  const limit = opts.limit ?? Infinity;
  const plain = inputs.filter((p) => /\.txt$/i.test(p));
  for (const file of plain) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (e) {
      throw new UserError(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (unit === "doc") {
      for (const t of text.split(/\r?\n\s*\r?\n/)) if (t.trim() !== "") out.push(t.trim());
    } else pushAll(out, lines(text));
    if (out.length >= limit) return out.slice(0, limit);
  }
  const rest = inputs.filter((p) => !/\.txt$/i.test(p));
  if (!rest.length) return out;
  const { shards } = await discoverShards(rest);
  if (!shards.length) throw new UserError(`no data files found in ${rest.join(", ")}`);
  for (const shard of shards) {
    for await (const rec of readRecords(shard, { bad: opts.bad, textField: opts.textField, raw: false })) {
      if (unit === "doc") {
        if (rec.text.trim() !== "") out.push(rec.text);
      } else {
        pushAll(out, lines(rec.text));
      }
      if (out.length >= limit) return out.slice(0, limit);
    }
  }
  return out;
}

/** KenLM's lines: split on \n, no extra empty line after a final newline. */
function lines(text: string): string[] {
  const parts = text.split("\n");
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

async function scoreAll(m: LanguageModel, texts: string[], label: string, progress: boolean): Promise<ScoredText[]> {
  return scoreTexts(m, texts, { label: progress ? `scoring (${label})` : undefined });
}

function totals(scored: ScoredText[]): { logprob: number; tokens: number } {
  let logprob = 0;
  let tokens = 0;
  for (const s of scored) {
    for (const t of s.tokens) {
      logprob += t.logprob;
      tokens++;
    }
  }
  return { logprob, tokens };
}

/** Steps: score the texts with both models and attribute the change (`attributeChange`), then the report when asked (report.ts). */
export async function runTokens(o: TokensOptions): Promise<TokensResult> {
  const t = await attributeChange(o);
  await reportTokens(o, t);
  return t;
}

async function attributeChange(o: TokensOptions): Promise<TokensResult> {
  const log = o.log ?? (() => {});
  const owned = !o.models;
  const base = o.models?.base ?? (await openLm(o.base, log));
  let adapted: LanguageModel | undefined;
  try {
    adapted = o.models?.adapted ?? (await openLm(o.adapted, log));
    const shared = sameTokenizer(base.tokenizer, adapted.tokenizer);
    const unit: ScoringUnit = o.unit && o.unit !== "auto" ? o.unit : vocabularyFree(base.tokenizer) && vocabularyFree(adapted.tokenizer) ? "line" : "doc";
    const bad = new BadInputLog({ strict: o.strict });
    const texts = await readTexts(o.data, unit, { textField: o.textField, limit: o.limit, bad });
    if (!texts.some((t) => t.trim() !== "")) throw new UserError(`no text to score in ${o.data.join(", ")}`);
    log(`scoring ${texts.length} ${unit === "line" ? "lines (each a sentence: <s> … </s>)" : "documents"} with both models`);
    const sb = await scoreAll(base, texts, "base", o.progress ?? false);
    const sa = await scoreAll(adapted, texts, "adapted", o.progress ?? false);
    // bytes: each line's newline is what </s> predicts, so it counts as a byte of the text
    let bytes = 0;
    for (const t of texts) bytes += Buffer.byteLength(t) + (unit === "line" ? 1 : 0);
    const tb = totals(sb);
    const ta = totals(sa);
    const summary = (m: LanguageModel, t: { logprob: number; tokens: number }): ModelSummary => ({
      id: m.id,
      tokenizer: `${m.tokenizer.kind}:${m.tokenizer.hash.slice(0, 12)} (${m.tokenizer.vocabSize} types)`,
      perplexity: Math.exp(-t.logprob / t.tokens),
      bitsPerByte: -t.logprob / Math.LN2 / bytes,
      tokens: t.tokens,
    });
    const result: TokensResult = {
      base: summary(base, tb),
      adapted: summary(adapted, ta),
      unit,
      texts: texts.length,
      bytes,
      comparison: shared ? "tokens" : "bits-per-byte",
      relativeChange: 0,
      advice: [],
      badInput: bad.toJSON(),
    };
    if (!shared) {
      result.note = `the models have different tokenizers (${base.tokenizer.kind} vs ${adapted.tokenizer.kind}): per-token attribution needs a shared tokenizer, so they are compared in bits per byte`;
      result.relativeChange = result.adapted.bitsPerByte / result.base.bitsPerByte - 1;
      result.advice = adviceFor(undefined);
      log(result.note);
      return result;
    }
    let att: Attribution;
    try {
      att = attributeTokens(texts, sb, sa, { worst: o.worst ?? 20 });
    } catch (e) {
      if (e instanceof TokenizationMismatch) throw new UserError(`${e.message} (tokenizer identities matched; the backends disagree on the tokens)`);
      throw e;
    }
    result.base.perplexityInformative = att.informative.base;
    result.adapted.perplexityInformative = att.informative.adapted;
    result.relativeChange = att.perplexity.adapted / att.perplexity.base - 1;
    result.tokens = o.top !== undefined ? att.tokens.slice(0, o.top) : att.tokens;
    result.tokenTypes = att.tokens.length;
    result.totalDelta = att.totalDelta;
    result.classes = att.classes;
    result.informative = att.informative;
    result.concentration = att.concentration;
    result.worst = att.worst;
    result.histogram = deltaHistogram(att.tokens.map((t) => t.delta));
    result.advice = adviceFor(undefined, att);
    return result;
  } finally {
    if (owned) {
      await adapted?.close();
      await base.close();
    }
  }
}
