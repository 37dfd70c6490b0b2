/** What `runFit` takes and returns (the JSON summary, the plot data, the law and the points). */
import type { Allocation } from "../../models/laws/allocation.js";
import type { Law } from "../../models/laws/types.js";
import type { Monotonicity } from "../../models/stats/monotone.js";
import type { Cell } from "../../io/table.js";
import type { FitPlot } from "../../report/fit-report.js";
import type { LoadedData } from "./load.js";

export interface FitRunOptions {
  /** A table file (.csv, .tsv, .jsonl, .parquet, db.duckdb:table) ... */
  file?: string;
  /** ... or the rows themselves, in memory (column name → value). */
  rows?: Array<Record<string, Cell>>;
  law?: string;
  x?: string[];
  y?: string;
  delta?: number;
  bootstrap?: number;
  /** Extra grid starts (besides the full-data optimum) for each bootstrap refit. */
  bootstrapStarts?: number;
  seed?: number;
  level?: number;
  holdoutLargest?: number;
  predict?: Array<Record<string, number>>;
  compute?: number[];
  threads?: number;
  dropMissing?: boolean;
  dropHighest?: number;
  strict?: boolean;
  /** Column naming each point (shown in the report). */
  label?: string;
  /** Row filters, `column=value`. */
  where?: string[];
  /** The metric's chance level (e.g. 0.25 for 4-way multiple choice): a flat, non-monotone metric there is named as such. */
  chance?: number;
  /** Write the HTML report here. */
  report?: string;
  /** The command line, for the report. */
  command?: string;
  log?: (s: string) => void;
  progress?: boolean;
}

export const FIT_DEFAULTS = {
  law: "power",
  y: "y",
  bootstrap: 0,
  bootstrapStarts: 4,
  seed: 0,
  level: 0.95,
  holdoutLargest: 0,
  predict: [] as Array<Record<string, number>>,
  compute: [] as number[],
  threads: 1,
  dropMissing: false,
  dropHighest: 0,
  strict: false,
  progress: false,
};

export type ResolvedFitOptions = FitRunOptions & typeof FIT_DEFAULTS & { log: (s: string) => void };

export interface Prediction {
  x: Record<string, number>;
  y: number;
  ci: [number, number] | null;
  pi: [number, number] | null;
}

export interface HoldoutPoint {
  where: string;
  x: Record<string, number>;
  y: number;
  predicted: number;
  error: number;
  relError: number;
}

export interface FitSummary {
  law: string;
  params: Record<string, number>;
  objective: number;
  n: number;
  ci: Record<string, [number, number]>;
  predictions: Prediction[];
  formula: string;
  level: number;
  huberDelta: number | null;
  residualSpace: "log" | "linear";
  columns: { x: string[]; y: string };
  converged: boolean;
  starts: { tried: number; converged: number };
  dropped: { missing: number; highest: number };
  bootstrap: { resamples: number; failed: number; startsPerRefit: number; seconds: number } | null;
  holdout: { k: number; points: HoldoutPoint[]; mae: number; rmse: number; mape: number; maxAbsError: number } | null;
  alignment: Monotonicity | null;
  /** Compute-optimal allocations at --compute (Chinchilla laws with alpha > 0 and beta > 0). */
  allocation: Allocation[];
  warnings: string[];
  seconds: { fit: number; bootstrap: number };
  seed: number;
}

export type { FitPlot as PlotData, FitPlotPoint as PlotPoint } from "../../report/fit-report.js";

export interface FitRun {
  summary: FitSummary;
  plot: FitPlot;
  law: Law;
  data: LoadedData;
  /** Where the report was written, when asked for. */
  reportPath?: string;
}
