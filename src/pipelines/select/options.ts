/**
 * `select`'s options and their defaults, in one place: the CLI and the demo pass what the user
 * gave, and a library call needs only `runSelect({ target, corpus, out, keep })`.
 */
import { availableParallelism } from "node:os";
import type { Executor } from "../../exec/types.js";
import type { NgramHashMode } from "../../text/ngram-hash.js";
import type { FilterPool } from "../../models/laws/filter-rate.js";
import type { SelectMethod } from "./finalize.js";
import type { TxtSplit } from "../../io/formats.js";

export interface SelectOptions {
  /** Target examples: benchmark files or directories (needed by betr and dsir). */
  target?: string[];
  /** Corpus shards: files, directories or globs. */
  corpus: string[];
  out: string;
  /** Fraction of tokens (or docs, see keepBy) to keep; default 0.1 unless compute or threshold is given. */
  keep?: number;
  /** Training compute in FLOPs: the keep rate comes from BETR's filter-rate law for `pool`. */
  compute?: number;
  pool?: FilterPool;
  keepBy?: "tokens" | "docs";
  method?: SelectMethod;
  /** fastText .bin for method "classifier". */
  model?: string;
  /** Positive label of `model` (default __label__hq, DCLM's). */
  label?: string;
  threshold?: number;
  embedder?: string;
  sample?: number;
  holdout?: number;
  seed?: number;
  /** Threads for sampling, embedding and scoring (default: the machine's cores). */
  workers?: number;
  strict?: boolean;
  /** Benchmark files: kept documents that contain one of their items are dropped (decontaminate/select-hook.ts). */
  decontaminateAgainst?: string[];
  allExamples?: boolean;
  /** BETR's rank aggregation: sum of 1/rank (lexical default), max log2(1/rank) (the paper's; dense embedders' default), mean. */
  aggregate?: "sum" | "max" | "mean";
  value?: "log" | "inverse";
  /** Where shard jobs run (default: local threads). */
  executor?: Executor;
  /** Write report.html (default true). */
  report?: boolean;
  log?: (m: string) => void;
  progress?: boolean;
  /** Field holding the document text (default "text"; the Pile uses "contents"). */
  textField?: string;
  idField?: string;
  /** Plain-text shards: one document per file or per paragraph (--txt-split). */
  txtSplit?: TxtSplit;
  /** Metadata field the kept share is broken down by (report, summary). */
  groupBy?: string;
  /** DSIR: documents with fewer whitespace tokens are masked (DSIR's 100 by default). */
  minTokens?: number;
  /** Field holding the target text in target files of the user's own (CSV/TSV/JSON); shapes are detected otherwise. */
  targetField?: string;
  /** Language model for method "perplexity": `ngram:<file.arpa>`, `gguf:<file.gguf>` or `openai:<base-url>[#model]`. */
  lm?: string;
  /** n-gram order of Moore–Lewis' two models (default 3). */
  lmOrder?: number;
  /** DSIR n-gram hashing (default "fast"). */
  hashing?: NgramHashMode;
  /** The command line, for the report. */
  command?: string;
}

export const DEFAULT_CLASSIFIER_LABEL = "__label__hq";

export const SELECT_DEFAULTS = {
  method: "betr",
  keepBy: "tokens",
  pool: "nemotron-cc",
  label: DEFAULT_CLASSIFIER_LABEL,
  sample: 100_000,
  holdout: 100_000,
  seed: 0,
  strict: false,
  allExamples: false,
  aggregate: "sum",
  value: "log",
  report: true,
  progress: false,
  hashing: "fast",
} as const satisfies Partial<SelectOptions>;

type Defaulted = keyof typeof SELECT_DEFAULTS | "target" | "workers" | "log";
export type ResolvedSelectOptions = Omit<SelectOptions, Defaulted> & Required<Pick<SelectOptions, Defaulted>>;

/** Fills every option the caller left out. */
export function resolveSelectOptions(opts: SelectOptions): ResolvedSelectOptions {
  const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as SelectOptions;
  return {
    ...SELECT_DEFAULTS,
    target: [],
    log: () => {},
    ...given,
    workers: Math.max(1, given.workers ?? availableParallelism()),
  } as ResolvedSelectOptions;
}
