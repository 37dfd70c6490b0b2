/**
 * One document scorer for both places a score is computed: the coordinator (held-out sample,
 * for the threshold) and the shard tasks (whole corpus). Using the same code in both is what
 * makes the held-out threshold mean the same thing at corpus scale.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { isMainThread } from "node:worker_threads";
import { dsirLogWeight, gumbelFromUniform } from "../../models/dsir/index.js";
import { uniform01 } from "../../text/hash.js";
import { NgramHasher, type NgramHashMode } from "../../text/ngram-hash.js";
import { dclmPreprocess } from "../../text/dclm.js";
import { loadFastTextModel, type FastTextModel } from "./fasttext-adapter.js";
import { TfidfFeaturizer } from "../../models/lexical/tfidf.js";
import { invertCsr } from "../../models/lexical/csr.js";
import { foldOf } from "./lexical.js";
import { readLinearModel, type LinearModel } from "./linear-model.js";
import { NgramModel, QueryState, type ModelParts } from "../../models/ngram/query-model.js";
import { lineLog10, type LineScore } from "../../models/ngram/line-score.js";
import { ccnetNormalize } from "../../text/ccnet-normalize.js";
import type { LanguageModel } from "../../backends/lm/types.js";
import { sharedValue, shareWithThreads } from "../../util/thread-shared.js";

export type ScorerSpec =
  | {
      kind: "fasttext";
      /** fastText .bin model: absolute, or relative to the output directory (models select trained). */
      model: string;
      /** Positive label, e.g. "__label__pos" (BETR) or "__label__hq" (DCLM). */
      label: string;
    }
  | {
      kind: "linear";
      /** betr-linear.bin written by trainLexical, relative to the output directory (or absolute). */
      model: string;
    }
  | {
      /**
       * CCNet: score = mean log10 p per token of the text under `lm` (n-gram: per word + </s> of
       * each line, as cc_net does); perplexity = 10^-score.
       */
      kind: "perplexity";
      /** The backend; an n-gram model when absent. */
      scheme?: "gguf" | "openai";
      /** ARPA or GGUF file (absolute or relative to the output directory), or the openai: base URL[#model]. */
      lm: string;
      /** gguf: llama.cpp threads per worker thread (the cores divided among the run's workers). */
      threads?: number;
      /** CCNet's normalisation before scoring (default true; false scores the text as it is). */
      normalize?: boolean;
    }
  | {
      /** Moore–Lewis: score = mean per-word log10 p_target − log10 p_corpus (higher = more target-like). */
      kind: "moore-lewis";
      target: string;
      corpus: string;
    }
  | {
      kind: "dsir";
      /** Weights JSON written by fitDsir, relative to the output directory (or absolute). */
      weights: string;
      /** Seed of the Gumbel noise; null scores by the bare log importance weight. */
      gumbelSeed: number | null;
    };

/** The files a scorer reads, as the spec names them (relative to the output directory or absolute). */
export function scorerFiles(spec: ScorerSpec): string[] {
  switch (spec.kind) {
    case "dsir":
      return [spec.weights];
    case "perplexity":
      return spec.scheme === "openai" ? [] : [spec.lm];
    case "moore-lewis":
      return [spec.target, spec.corpus];
    default:
      return [spec.model];
  }
}

/** The same spec with every file resolved against `dir` (for jobs whose output directory is another). */
export function absoluteScorer(spec: ScorerSpec, dir: string): ScorerSpec {
  const abs = (f: string) => path.resolve(dir, f);
  switch (spec.kind) {
    case "dsir":
      return { ...spec, weights: abs(spec.weights) };
    case "perplexity":
      return spec.scheme === "openai" ? spec : { ...spec, lm: abs(spec.lm) };
    case "moore-lewis":
      return { ...spec, target: abs(spec.target), corpus: abs(spec.corpus) };
    default:
      return { ...spec, model: abs(spec.model) };
  }
}

export interface DsirWeightsFile {
  buckets: number;
  hashing: NgramHashMode;
  ngrams: 1 | 2;
  minTokens: number;
  logDiff: number[];
}

/** Scores one document at a time, synchronously: every scorer computed in this process. */
export interface DocScorer {
  readonly batch?: false;
  /** `key` is "<shard rel>:<line>", the seed of per-document randomness. */
  score(text: string, key: string): number;
  /** The target example nearest to the text scored last (BETR's lexical scorer), or null when none shares a word with it. */
  nearest?(): { benchmark: string; example: number } | null;
  /** What the score means, for logs and the report. */
  readonly describe: string;
}

/** Scores a batch of documents asynchronously: language models behind a backend (gguf:, openai:). */
export interface BatchScorer {
  readonly batch: true;
  scoreBatch(texts: string[]): Promise<Float64Array>;
  readonly describe: string;
  /** Releases the model (the coordinator's copy; shard threads keep theirs for their next shard). */
  close(): Promise<void>;
}

export type Scorer = DocScorer | BatchScorer;

/** Scores of `texts` (keys as DocScorer.score takes them), whichever kind the scorer is. */
export async function scoreAll(scorer: Scorer, texts: string[], keys: string[]): Promise<Float64Array> {
  if (scorer.batch) return scorer.scoreBatch(texts);
  const out = new Float64Array(texts.length);
  for (let i = 0; i < texts.length; i++) out[i] = scorer.score(texts[i]!, keys[i]!);
  return out;
}

const GUMBEL_SALT = 0x6a09e667;

/**
 * The document scorer a spec names. `baseDir` resolves relative paths: params carry paths relative to the output directory so a
 * job's fingerprint (and its completion markers) survive moving or copying the output.
 */
export async function loadScorer(spec: ScorerSpec, baseDir: string): Promise<Scorer> {
  if (spec.kind === "linear") return linearScorer(await loadLinear(path.resolve(baseDir, spec.model)));
  if (spec.kind === "perplexity" && spec.scheme) return backendLmScorer(`${spec.scheme}:${spec.scheme === "openai" ? spec.lm : path.resolve(baseDir, spec.lm)}`, spec.normalize ?? false, { cacheDir: path.join(baseDir, "cache", "lm"), threads: spec.threads });
  if (spec.kind === "perplexity") return lmScorer([await loadLm(path.resolve(baseDir, spec.lm))], "CCNet perplexity: mean log10 p per word (perplexity = 10^-score)", spec.normalize ?? true);
  if (spec.kind === "moore-lewis") return lmScorer([await loadLm(path.resolve(baseDir, spec.target)), await loadLm(path.resolve(baseDir, spec.corpus))], "Moore–Lewis: mean log10 p_target − log10 p_corpus per word", true);
  if (spec.kind === "fasttext") {
    const model: FastTextModel = await loadFastTextModel(path.resolve(baseDir, spec.model));
    if (!model.labels.includes(spec.label)) throw new Error(`${spec.model}: the model has no label '${spec.label}' (labels: ${model.labels.join(", ")})`);
    return {
      describe: `fastText p(${spec.label})`,
      score: (text) => model.probability(dclmPreprocess(text), spec.label),
    };
  }
  const w = JSON.parse(await readFile(path.resolve(baseDir, spec.weights), "utf8")) as DsirWeightsFile;
  const logDiff = Float64Array.from(w.logDiff);
  if (logDiff.length !== w.buckets) throw new Error(`${spec.weights}: ${logDiff.length} weights for ${w.buckets} buckets`);
  const hasher = new NgramHasher({ buckets: w.buckets, mode: w.hashing, ngrams: w.ngrams });
  const seed = spec.gumbelSeed;
  return {
    describe: seed === null ? "DSIR log importance weight" : "DSIR log importance weight + Gumbel noise",
    score(text, key) {
      const n = hasher.features(text);
      const lw = dsirLogWeight(hasher.ids, n, hasher.words, logDiff, w.minTokens);
      if (seed === null || lw === -Infinity) return lw;
      return lw + gumbelFromUniform(uniform01((seed ^ GUMBEL_SALT) >>> 0, key));
    },
  };
}

/** Seeded per-document uniform that breaks score ties (see threshold.ts). */
export function tieKey(seed: number, key: string): number {
  return uniform01((seed ^ 0x3c6ef372) >>> 0, key);
}

const linearCache = new Map<string, Promise<LinearModel>>();
/** One copy per thread: a thread scores many shards with the same model. */
function loadLinear(file: string): Promise<LinearModel> {
  let p = linearCache.get(file);
  if (!p) {
    p = readLinearModel(file);
    linearCache.set(file, p);
    p.catch(() => linearCache.delete(file));
  }
  return p;
}

/**
 * p(target-like) from the document's fold model (cross-fitting, lexical.ts), and the nearest
 * target example by cosine over an inverted index of the examples' vectors.
 */
function linearScorer(m: LinearModel): Scorer {
  const { buckets, folds, foldSeed, biases, examples } = m.header;
  const fz = new TfidfFeaturizer(buckets);
  fz.idf = m.idf;
  const t = m.targets;
  // column → target examples holding it
  const { start, row: ex, val: exVal } = invertCsr(t, buckets);
  const acc = new Float32Array(t.rows);
  const touched = new Int32Array(t.rows);
  let terms = 0;
  return {
    describe: `lexical logistic regression p(target-like), ${folds}-fold cross-fitted`,
    score(text, key) {
      terms = fz.vector(text);
      const f = foldOf(foldSeed, key, folds);
      const off = f * buckets;
      let z = biases[f]!;
      for (let i = 0; i < terms; i++) z += fz.vals[i]! * m.weights[off + fz.cols[i]!]!;
      return 1 / (1 + Math.exp(-z));
    },
    nearest() {
      let nt = 0;
      for (let i = 0; i < terms; i++) {
        const c = fz.cols[i]!;
        const v = fz.vals[i]!;
        for (let p = start[c]!; p < start[c + 1]!; p++) {
          const e = ex[p]!;
          if (acc[e] === 0) touched[nt++] = e;
          acc[e]! += v * exVal[p]!;
        }
      }
      let best = -1;
      let bestSim = 0;
      for (let i = 0; i < nt; i++) {
        const e = touched[i]!;
        if (acc[e]! > bestSim || (acc[e] === bestSim && e < best)) {
          bestSim = acc[e]!;
          best = e;
        }
        acc[e] = 0;
      }
      return best < 0 ? null : { benchmark: examples[best]!.benchmark, example: examples[best]!.index };
    },
  };
}

const lmCache = new Map<string, Promise<NgramModel>>();
/**
 * An ARPA model, loaded once per process: the main thread (which scores select's sample) offers
 * its tables to the pool's threads in shared memory (util/thread-shared.ts), and a shard's thread
 * takes them instead of loading the file again (with a 614 MB ARPA: 7 s and 0.8 GB saved).
 */
function loadLm(file: string): Promise<NgramModel> {
  let p = lmCache.get(file);
  if (!p) {
    const key = `ngram-model:${file}`;
    const parts = sharedValue<ModelParts>(key);
    p = parts
      ? Promise.resolve(NgramModel.fromParts(parts))
      : import("../../backends/lm/ngram.js").then((m) => m.loadArpa(file)).then((model) => {
          if (isMainThread) shareWithThreads(key, model.sharedParts());
          return model;
        });
    lmCache.set(file, p);
    p.catch(() => lmCache.delete(file));
  }
  return p;
}

/**
 * One model: mean log10 p per word of the CCNet-normalised lines (cc_net/perplexity.py: each
 * line scored from <s> to </s>, its length = words + 1). Two models: the same mean of
 * log10 p_first − log10 p_second (Moore & Lewis 2010's cross-entropy difference, negated).
 */
function lmScorer(models: NgramModel[], describe: string, normalize: boolean): Scorer {
  const states = models.map((m) => [new QueryState(m.order), new QueryState(m.order)] as const);
  const ls: LineScore = { log10: 0, words: 0 };
  const enc = new TextEncoder();
  return {
    describe,
    score(text) {
      let total = 0;
      let length = 0;
      for (const line of text.split("\n")) {
        const buf = enc.encode(normalize ? ccnetNormalize(line) : line);
        for (let k = 0; k < models.length; k++) {
          lineLog10(models[k]!, buf, 0, buf.length, states[k]![0], states[k]![1], ls);
          total += k === 0 ? ls.log10 : -ls.log10;
        }
        length += ls.words + 1;
      }
      return length > 0 ? total / length : -Infinity;
    },
  };
}

const backendCache = new Map<string, Promise<LanguageModel>>();

/**
 * Perplexity under a GGUF model or a server: mean log10 p per model token of the whole document
 * (the model sees its lines in context; long texts are windowed by the backend). A document with
 * no token to score gets -Infinity and is never kept, as an empty one under the n-gram scorer.
 * One model per thread, opened on first use; the openai: response cache sits in the output
 * directory so a rerun does not query the server again.
 */
async function backendLmScorer(lmSpec: string, normalize: boolean, open: { cacheDir: string; threads?: number }): Promise<BatchScorer> {
  let p = backendCache.get(lmSpec);
  if (!p) {
    p = import("../../backends/lm/index.js").then((m) => m.openLanguageModel(lmSpec, open));
    backendCache.set(lmSpec, p);
    p.catch(() => backendCache.delete(lmSpec));
  }
  const lm = await p;
  const { summarize } = await import("../../backends/lm/index.js");
  return {
    batch: true,
    describe: `perplexity under ${lm.id}: mean log10 p per model token (perplexity = 10^-score)${normalize ? ", CCNet-normalised text" : ""}`,
    async scoreBatch(texts) {
      const out = new Float64Array(texts.length).fill(-Infinity);
      const at: number[] = [];
      const inputs: string[] = [];
      texts.forEach((t, i) => {
        const text = normalize ? t.split("\n").map(ccnetNormalize).join("\n") : t;
        if (text.trim() === "") return;
        at.push(i);
        inputs.push(text);
      });
      const scored = inputs.length ? await lm.score(inputs) : [];
      scored.forEach((r, k) => {
        const s = summarize(r);
        if (s.tokens > 0) out[at[k]!] = s.logprob / s.tokens / Math.LN10;
      });
      return out;
    },
    async close() {
      backendCache.delete(lmSpec);
      await lm.close();
    },
  };
}
