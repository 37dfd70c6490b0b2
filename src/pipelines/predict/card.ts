/**
 * Predicting a planned model from its card (same fields as a `models` row): a final model on
 * every model with a score, an interval from cross-validated errors, and the TreeSHAP
 * contribution of each feature; and sweeps of one design variable.
 */
import { readFileSync } from "node:fs";
import type { Cell } from "../../io/table.js";
import { UserError } from "../../util/errors.js";
import { predict, type Booster } from "../../models/gbdt/booster.js";
import { shapValues } from "../../models/gbdt/shap.js";
import { cvSeed, fitFinal, type CvOptions, type GridPoint } from "./cv.js";
import type { ModelDb } from "./db.js";
import { encodeRows, makeEncoder, type CardLike, type Encoder, type TaskData } from "./features.js";
import { extrapolations, extrapolationWarning, type Extrapolation } from "./validate.js";

export interface Card extends CardLike {
  id: string;
}

/** Reads a card: JSON object with params, tokens and any feature fields. */
export function readCard(file: string): Card {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new UserError(`${file}: not a JSON model card (${(err as Error).message.split("\n")[0]})`);
  }
  return parseCard(raw, file);
}

export function parseCard(raw: unknown, where = "card"): Card {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new UserError(`${where}: a model card must be a JSON object`);
  const o = raw as Record<string, unknown>;
  const params = Number(o.params);
  const tokens = Number(o.tokens);
  if (!(params > 0)) throw new UserError(`${where}: 'params' must be a positive number (parameter count)`);
  if (!(tokens > 0)) throw new UserError(`${where}: 'tokens' must be a positive number (same unit as the database)`);
  const fields: Record<string, Cell> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === "params" || k === "tokens" || k === "id") continue;
    fields[k] = v === null || typeof v === "number" || typeof v === "string" || typeof v === "boolean" ? v : String(v);
  }
  return { id: typeof o.id === "string" ? o.id : "card", params, tokens, fields };
}

export interface Predictor {
  task: TaskData;
  encoder: Encoder;
  model: Booster;
  params: GridPoint;
  /** absolute out-of-fold errors over the CV seeds */
  cvErrors: Float64Array;
  cvMae: number;
}

export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Trains the final model and measures its error by `seeds` runs of the CV protocol. */
export function buildPredictor(db: ModelDb, task: TaskData, features: string[], opts: { seeds: number; seed?: number; cv?: CvOptions }): Predictor {
  if (task.models.length < 6) throw new UserError(`${task.benchmark}: only ${task.models.length} models have a value; need at least 6`);
  const encoder = makeEncoder(db, features);
  const X = encodeRows(encoder, task.models);
  const errors: number[] = [];
  for (let s = 0; s < opts.seeds; s++) {
    const r = cvSeed(X, task.y, (opts.seed ?? 0) + s, null, opts.cv);
    for (const f of r.folds) f.test.forEach((row, k) => errors.push(Math.abs(f.pred[k] - task.y[row])));
  }
  const cvErrors = Float64Array.from(errors).sort();
  const { model, params } = fitFinal(X, task.y, opts.seed ?? 0, opts.cv?.grid);
  return { task, encoder, model, params, cvErrors, cvMae: errors.reduce((a, b) => a + b, 0) / Math.max(1, errors.length) };
}

export interface Contribution {
  feature: string;
  value: Cell;
  /** SHAP value in the metric's units */
  shap: number;
}

export interface CardPrediction {
  id: string;
  benchmark: string;
  setting: string;
  metric: string;
  prediction: number;
  interval: [number, number];
  coverage: number;
  base_value: number;
  contributions: Contribution[];
  cv_mae: number;
  n: number;
  features: string[];
  params: GridPoint;
  /** False when a feature lies outside the training models' range: the CV interval does not hold there. */
  interval_valid: boolean;
  /** The features outside that range, and one warning line each. */
  extrapolated: Extrapolation[];
  warnings: string[];
}

export function predictCard(p: Predictor, card: Card, coverage = 0.9): CardPrediction {
  const X = encodeRows(p.encoder, [card]);
  const pred = predict(p.model, X)[0];
  const shap = shapValues(p.model, X);
  const nf = p.encoder.features.length;
  const half = quantile(p.cvErrors, coverage);
  const contributions = p.encoder.features
    .map((f, j) => ({ feature: f, value: f === "params" ? card.params : f === "tokens" ? card.tokens : (card.fields[f] ?? null), shap: shap[j] }))
    .sort((a, b) => Math.abs(b.shap) - Math.abs(a.shap));
  return {
    id: card.id,
    benchmark: p.task.benchmark,
    setting: p.task.setting,
    metric: p.task.metric,
    prediction: pred,
    interval: [pred - half, pred + half],
    coverage,
    base_value: shap[nf],
    contributions,
    cv_mae: p.cvMae,
    n: p.task.models.length,
    features: p.encoder.features,
    params: p.params,
    ...outsideData(p, card),
  };
}

function outsideData(p: Predictor, card: CardLike): Pick<CardPrediction, "interval_valid" | "extrapolated" | "warnings"> {
  const extrapolated = extrapolations(p.encoder, p.task.models, card);
  return { interval_valid: extrapolated.length === 0, extrapolated, warnings: extrapolated.map(extrapolationWarning) };
}

/** Parses `name=a..b` or `name=a..b:step` (or `name=v1,v2,...`). */
export function parseVary(spec: string, points = 21): { feature: string; values: number[] } {
  const m = /^([^=]+)=(.+)$/.exec(spec.trim());
  if (!m) throw new UserError(`--vary must look like feature=0..40 or feature=0..40:5, got '${spec}'`);
  const feature = m[1].trim();
  const body = m[2].trim();
  const range = /^(-?[\d.eE+-]+)\.\.(-?[\d.eE+-]+)(?::([\d.eE+-]+))?$/.exec(body);
  let values: number[];
  if (range) {
    const a = Number(range[1]);
    const b = Number(range[2]);
    const step = range[3] !== undefined ? Number(range[3]) : (b - a) / (points - 1);
    if (![a, b, step].every(Number.isFinite) || step <= 0 || b < a) throw new UserError(`--vary: bad range '${body}'`);
    values = [];
    for (let k = 0; a + k * step <= b + 1e-9 * Math.max(1, Math.abs(b)); k++) values.push(+(a + k * step).toPrecision(12));
  } else {
    values = body.split(",").map((s) => Number(s.trim()));
    if (!values.every(Number.isFinite)) throw new UserError(`--vary: '${body}' is neither a range a..b nor a list of numbers`);
  }
  return { feature, values };
}

export interface SweepPoint {
  value: number;
  prediction: number;
  lo: number;
  hi: number;
  /** False where the card (with this value) lies outside the training data: lo/hi do not hold. */
  interval_valid: boolean;
}

/** Predicted score as one numeric feature of the card varies (params/tokens in raw units). */
export function sweep(p: Predictor, card: Card, feature: string, values: number[], coverage = 0.9): SweepPoint[] {
  const j = p.encoder.features.indexOf(feature);
  if (j < 0) throw new UserError(`--vary ${feature}: not among the model's features (${p.encoder.features.join(", ")})`);
  if (p.encoder.kinds[j] !== "numeric") throw new UserError(`--vary ${feature}: only numeric features can be swept`);
  const rows: CardLike[] = values.map((v) => {
    if (feature === "params") return { ...card, params: v };
    if (feature === "tokens") return { ...card, tokens: v };
    return { ...card, fields: { ...card.fields, [feature]: v } };
  });
  const preds = predict(p.model, encodeRows(p.encoder, rows));
  const half = quantile(p.cvErrors, coverage);
  return values.map((value, i) => ({ value, prediction: preds[i], lo: preds[i] - half, hi: preds[i] + half, interval_valid: extrapolations(p.encoder, p.task.models, rows[i]!).length === 0 }));
}
