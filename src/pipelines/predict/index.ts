/**
 * `datatailor predict`: downstream scores from model scale and design (Not-Just-Scaling Laws).
 * Three pipelines over the same first steps (open.ts: the database, the tasks):
 *   runPredictCv     scale-only vs design-aware trees under the paper's CV protocol (run-cv.ts)
 *   runPredictCard   a planned model's score with an interval and SHAP contributions (run-card.ts)
 *   runPredictSweep  the predicted score as one design variable of the card varies (run-card.ts)
 * Each ends with the HTML report when `report` names a file (report.ts). Defaults: options.ts.
 */
export { runPredictCv, type PredictCvResult } from "./run-cv.js";
export { runPredictCard, runPredictSweep, type PredictCardResult, type PredictSweep } from "./run-card.js";
export { PREDICT_DEFAULTS, type PredictOptions, type PredictCardOptions, type PredictSweepOptions } from "./options.js";
export type { CvSummary, FeatureMode, SelectionStep } from "./evaluate.js";
export type { Card, CardPrediction, Contribution, SweepPoint } from "./card.js";
export type { ModelDb } from "./db.js";
