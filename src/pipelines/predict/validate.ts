/**
 * A card is checked against the database before anything is predicted from it:
 * - every field must be a column of the database (or params, tokens, id): a typo is an error
 *   that names the closest column, instead of a feature silently read as missing;
 * - params and tokens far outside the database's range (100x beyond its largest or smallest
 *   model) are taken for a unit mismatch, e.g. raw tokens where the database counts billions;
 * - any numeric feature outside the range of the models a benchmark was trained on is an
 *   extrapolation: trees predict a constant beyond the data, so the prediction gets a warning
 *   and its cross-validated interval is marked as not valid there.
 */
import { UserError } from "../../util/errors.js";
import type { Card } from "./card.js";
import { isMissing, type ModelDb, type ModelRow } from "./db.js";
import type { Encoder } from "./features.js";

/** Beyond this factor outside the database's range, params/tokens are a unit mismatch, not a plan. */
export const UNIT_MISMATCH_FACTOR = 100;

/** Levenshtein distance, case-insensitive (column names differ by case or a letter). */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1)));
    prev = cur;
  }
  return prev[t.length]!;
}

/** The candidate closest to `name` (ties: the first in order). */
export function closest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

function fmt(x: number): string {
  return Math.abs(x) >= 1e5 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : String(+x.toPrecision(4));
}

/** Smallest and largest value of a numeric field over rows (missing values skipped). */
export function fieldRange(rows: ModelRow[], field: string): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rows) {
    const v = field === "params" ? r.params : field === "tokens" ? r.tokens : r.fields[field];
    if (isMissing(v ?? null)) continue;
    const n = typeof v === "number" ? v : Number(v);
    if (!Number.isFinite(n)) continue;
    if (n < lo) lo = n;
    if (n > hi) hi = n;
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/** Checks the card's field names and the scale of params/tokens against the whole database. */
export function validateCard(db: ModelDb, card: Card, where = "card"): void {
  const names = ["params", "tokens", ...db.columns.map((c) => c.name)];
  for (const f of Object.keys(card.fields)) {
    if (db.columns.some((c) => c.name === f)) continue;
    const near = closest(f, names);
    throw new UserError(`${where}: unknown field '${f}'${near ? `; did you mean '${near}'?` : ""} (the database's fields: ${names.join(", ")})`);
  }
  for (const f of ["params", "tokens"] as const) {
    const range = fieldRange(db.models, f);
    if (!range) continue;
    const v = card[f];
    const [lo, hi] = range;
    if (v > hi * UNIT_MISMATCH_FACTOR || v < lo / UNIT_MISMATCH_FACTOR) {
      const factor = v > hi ? `${fmt(v / hi)}x the largest` : `1/${fmt(lo / v)} of the smallest`;
      const unit = f === "tokens" ? " (the NJSL export counts tokens in billions)" : "";
      throw new UserError(
        `${where}: ${f} = ${fmt(v)} is ${factor} in the database (${fmt(lo)} to ${fmt(hi)}): is it in the database's unit${unit}? A value this far outside the data cannot be predicted`,
      );
    }
  }
}

export interface Extrapolation {
  feature: string;
  value: number;
  min: number;
  max: number;
}

/** The numeric features whose card value lies outside the training models' range. */
export function extrapolations(encoder: Encoder, models: ModelRow[], card: Pick<Card, "params" | "tokens" | "fields">): Extrapolation[] {
  const out: Extrapolation[] = [];
  encoder.features.forEach((f, j) => {
    if (encoder.kinds[j] !== "numeric") return;
    const raw = f === "params" ? card.params : f === "tokens" ? card.tokens : card.fields[f];
    if (raw === undefined || isMissing(raw)) return;
    const v = typeof raw === "number" ? raw : Number(raw);
    const range = fieldRange(models, f);
    if (!range || !Number.isFinite(v)) return;
    if (v < range[0] || v > range[1]) out.push({ feature: f, value: v, min: range[0], max: range[1] });
  });
  return out;
}

/** One line per extrapolated feature. */
export function extrapolationWarning(e: Extrapolation): string {
  return `${e.feature} = ${fmt(e.value)} is outside the training models' range (${fmt(e.min)} to ${fmt(e.max)}): the trees hold their edge value there, so the prediction is an extrapolation and its interval is not valid`;
}
