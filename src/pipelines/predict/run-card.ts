/**
 * `predict` for a planned model (`predict card`) and as one design variable varies
 * (`predict sweep`). The pipeline, step by step:
 *   1. read the card, open the database and check the card against it (`openCard`, open.ts)
 *   2. the tasks: one per benchmark                                      (open.ts `selectTasks`)
 *   3. per task: features, a predictor trained on every model, the card's prediction with its
 *      CV interval and SHAP contributions, and the sweep's points      (`predictTask`)
 *   4. the HTML report, when asked                                       (report.ts `writeReport`)
 */
import { buildPredictor, parseVary, predictCard, readCard, sweep, type Card, type CardPrediction, type SweepPoint } from "./card.js";
import type { ModelDb } from "./db.js";
import { resolveFeatures } from "./evaluate.js";
import type { TaskData } from "./features.js";
import { openDatabase, selectTasks } from "./open.js";
import { PREDICT_DEFAULTS, resolvePredictOptions, type PredictCardOptions, type PredictSweepOptions, type ResolvedPredictOptions } from "./options.js";
import { writeReport } from "./report.js";
import { validateCard } from "./validate.js";

export interface PredictSweep {
  card: string;
  benchmark: string;
  feature: string;
  points: SweepPoint[];
}

export interface PredictCardResult {
  db: string;
  /** One prediction per benchmark. */
  predictions: CardPrediction[];
  /** One sweep per benchmark (runPredictSweep), in the order of `predictions`; empty otherwise. */
  sweeps: PredictSweep[];
  reportPath?: string;
}

interface CardRun {
  o: ResolvedPredictOptions;
  card: Card;
  coverage: number;
  vary?: { feature: string; values: number[] };
}

export function runPredictCard(options: PredictCardOptions): Promise<PredictCardResult> {
  return run(options);
}

export function runPredictSweep(options: PredictSweepOptions): Promise<PredictCardResult> {
  return run(options, options.vary, options.points ?? PREDICT_DEFAULTS.points);
}

async function run(options: PredictCardOptions, vary?: string, points?: number): Promise<PredictCardResult> {
  const o = resolvePredictOptions(options);
  const { db, card } = await openCard(o, options.card);
  const r: CardRun = { o, card, coverage: options.coverage ?? PREDICT_DEFAULTS.coverage, vary: vary === undefined ? undefined : parseVary(vary, points) };
  const predictions: CardPrediction[] = [];
  const sweeps: PredictSweep[] = [];
  for (const task of selectTasks(db, o)) {
    const t = predictTask(db, task, r);
    predictions.push(t.prediction);
    if (t.sweep) sweeps.push(t.sweep);
  }
  const reportPath = await writeReport(o, { db: db.source, cards: predictions, sweeps });
  return { db: db.source, predictions, sweeps, reportPath };
}

/** Step 1: the card (from its file, or as given), the database, and the card's fields checked against the database's. */
async function openCard(o: ResolvedPredictOptions, given: string | Card | undefined): Promise<{ db: ModelDb; card: Card }> {
  if (given === undefined) throw new TypeError("predict: a model card is required (card: file or object)");
  const card = typeof given === "string" ? readCard(given) : given;
  const db = await openDatabase(o);
  validateCard(db, card, typeof given === "string" ? given : card.id);
  return { db, card };
}

/** Step 3: one benchmark's predictor, the card's prediction and (for a sweep) the points. */
function predictTask(db: ModelDb, task: TaskData, r: CardRun): { prediction: CardPrediction; sweep?: PredictSweep } {
  const { o, card } = r;
  const { features } = resolveFeatures(db, task, o.features, { selectionSeeds: o.selectionSeeds, onStep: (m) => o.log(`${task.benchmark}: ${m}`) });
  o.log(`${task.benchmark} ${task.setting}: training on ${task.models.length} models, ${o.seeds} CV seeds for the interval`);
  const p = buildPredictor(db, task, features, { seeds: o.seeds, seed: o.seed });
  const prediction = predictCard(p, card, r.coverage);
  for (const w of prediction.warnings) o.log(`warning: ${task.benchmark}: ${w}`);
  if (!r.vary) return { prediction };
  const { feature, values } = r.vary;
  return { prediction, sweep: { card: card.id, benchmark: task.benchmark, feature, points: sweep(p, card, feature, values, r.coverage) } };
}
