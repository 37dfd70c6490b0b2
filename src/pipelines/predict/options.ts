/**
 * `predict`'s options and their defaults, in one place: the CLI passes what the user gave, and a
 * library call needs only the database and the benchmark, e.g.
 * `runPredictCv({ db: "njsl/", benchmark: ["arc_easy"] })`.
 */
import { usageError } from "../../util/errors.js";
import type { Card } from "./card.js";
import type { FeatureMode } from "./evaluate.js";

export interface PredictOptions {
  /** Model database: a directory with models.* and results.* tables, a Not-Just-Scaling export, or a .duckdb file. */
  db?: string;
  /** Models and results tables, instead of `db`. */
  models?: string;
  results?: string;
  /** Benchmark(s) to model; ["all"]: every benchmark with at least 30 models. Comma-separated names are split. */
  benchmark: string[];
  /** Shot setting, e.g. "5-shot" (needed when a benchmark has several). */
  setting?: string;
  /** Metric (default: accuracy when present). */
  metric?: string;
  /** all | selected (forward selection) | published | scale | a list of features (or a comma-separated string). */
  features?: FeatureMode | string;
  /** Seeds of the CV protocol (default 5). */
  seeds?: number;
  /** First seed (default 0). */
  seed?: number;
  /** Seeds per candidate in forward selection (default 3). */
  selectionSeeds?: number;
  /** Forward-selection candidates: design columns, or all measured columns (default design). */
  candidates?: "design" | "all";
  /** Fail on any malformed model or result row instead of skipping it. */
  strict?: boolean;
  /** Write an HTML report here (the last step). */
  report?: string;
  log?: (m: string) => void;
  /** Progress bars on stderr (default false). */
  progress?: boolean;
}

export interface PredictCardOptions extends PredictOptions {
  /** The planned model: a card file (JSON with params, tokens and any feature fields) or a parsed card. */
  card: string | Card;
  /** The interval covers this fraction of cross-validated errors (default 0.9). */
  coverage?: number;
}

export interface PredictSweepOptions extends PredictCardOptions {
  /** Feature and range, e.g. "percentage_code=0..40" or "percentage_code=0..40:5". */
  vary: string;
  /** Points in the range when no step is given (default 21). */
  points?: number;
}

export const PREDICT_DEFAULTS = {
  features: "all",
  seeds: 5,
  seed: 0,
  selectionSeeds: 3,
  candidates: "design",
  coverage: 0.9,
  points: 21,
  progress: false,
} as const;

export interface ResolvedPredictOptions extends Omit<PredictOptions, "features" | "seeds" | "seed" | "selectionSeeds" | "candidates" | "log" | "progress"> {
  features: FeatureMode;
  seeds: number;
  seed: number;
  selectionSeeds: number;
  candidates: "design" | "all";
  log: (m: string) => void;
  progress: boolean;
}

export function resolvePredictOptions(o: PredictOptions): ResolvedPredictOptions {
  const d = PREDICT_DEFAULTS;
  return {
    ...o,
    features: featureMode(o.features ?? d.features),
    seeds: o.seeds ?? d.seeds,
    seed: o.seed ?? d.seed,
    selectionSeeds: o.selectionSeeds ?? d.selectionSeeds,
    candidates: o.candidates ?? d.candidates,
    log: o.log ?? (() => {}),
    progress: o.progress ?? d.progress,
  };
}

/** "all" | "selected" | "published" | "scale", or a comma-separated list of features. */
export function featureMode(s: FeatureMode | string): FeatureMode {
  if (Array.isArray(s)) return s;
  if (["all", "selected", "published", "scale"].includes(s)) return s as FeatureMode;
  const list = s.split(",").map((x) => x.trim()).filter(Boolean);
  if (!list.length) throw usageError(`--features: empty list`);
  return list;
}
