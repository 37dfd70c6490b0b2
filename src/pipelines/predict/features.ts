/**
 * From database rows to the design matrix the trees see: ln params, ln tokens, numeric columns
 * as they are (missing -> NaN), categorical columns as ordinal codes of the sorted category
 * names (missing -> NaN). With few distinct values every code is its own histogram bin, so the
 * ordinal coding loses nothing a one-hot coding would give the trees except the order of
 * splits. Values pass through float32 first, as in the authors' pipeline.
 */
import type { Cell } from "../../io/table.js";
import { UserError } from "../../util/errors.js";
import type { Matrix } from "../../models/gbdt/booster.js";
import { isMissing, type ColumnKind, type ModelDb, type ModelRow } from "./db.js";

export interface Encoder {
  features: string[];
  kinds: ColumnKind[];
  /** sorted category names per categorical feature */
  categories: Map<string, string[]>;
}

/** Code-unit order, like Python's string sort (localeCompare would differ). */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function makeEncoder(db: ModelDb, features: string[]): Encoder {
  const kinds: ColumnKind[] = [];
  const categories = new Map<string, string[]>();
  for (const f of features) {
    if (f === "params" || f === "tokens") {
      kinds.push("numeric");
      continue;
    }
    const col = db.columns.find((c) => c.name === f);
    if (!col) throw new UserError(`${db.source}: no feature column '${f}' (have: params, tokens, ${db.columns.map((c) => c.name).join(", ")})`);
    kinds.push(col.kind);
    if (col.kind === "categorical") {
      const set = new Set<string>();
      for (const m of db.models) {
        const v = m.fields[f];
        if (!isMissing(v)) set.add(String(v));
      }
      categories.set(f, [...set].sort(byCodeUnit));
    }
  }
  return { features, kinds, categories };
}

export type CardLike = Pick<ModelRow, "params" | "tokens"> & { fields: Record<string, Cell> };

/** Encodes one value of feature j; unknown categories are an error naming the feature. */
export function encodeValue(enc: Encoder, j: number, row: CardLike): number {
  const f = enc.features[j];
  if (f === "params") return Math.log(Math.fround(row.params));
  if (f === "tokens") return Math.log(Math.fround(row.tokens));
  const v = row.fields[f];
  if (enc.kinds[j] === "categorical") {
    const cats = enc.categories.get(f)!;
    // databases that spell missing as a category (the NJSL import) get that category
    if (isMissing(v)) return cats.includes("missing") ? cats.indexOf("missing") : NaN;
    const k = cats.indexOf(String(v));
    if (k < 0) throw new UserError(`feature '${f}': unknown category '${v}' (known: ${cats.join(", ")})`);
    return k;
  }
  if (isMissing(v)) return NaN;
  const n = typeof v === "number" ? v : Number(String(v).trim());
  if (!Number.isFinite(n)) throw new UserError(`feature '${f}': '${v}' is not a number`);
  return Math.fround(n);
}

export function encodeRows(enc: Encoder, rows: CardLike[]): Matrix {
  const nf = enc.features.length;
  const values = new Float32Array(rows.length * nf);
  rows.forEach((r, i) => {
    for (let j = 0; j < nf; j++) values[i * nf + j] = encodeValue(enc, j, r);
  });
  return { nRows: rows.length, nFeatures: nf, values };
}

export interface TaskData {
  benchmark: string;
  setting: string;
  metric: string;
  /** models with a value, ordered by id */
  models: ModelRow[];
  y: Float64Array;
}

/** Resolves benchmark/setting/metric names against the database and gathers the labelled rows. */
export function taskData(db: ModelDb, benchmark: string, setting?: string, metric?: string): TaskData {
  const modelIds = new Set(db.models.map((m) => m.id));
  let rows = db.results.filter((r) => modelIds.has(r.id));
  const names = new Set(rows.map((r) => r.benchmark));
  let bench = benchmark;
  if (!names.has(bench) && setting && names.has(`${benchmark}_${setting}`)) bench = `${benchmark}_${setting}`;
  if (!names.has(bench)) throw new UserError(`${db.source}: no results for benchmark '${benchmark}' (have: ${[...names].sort(byCodeUnit).join(", ")})`);
  rows = rows.filter((r) => r.benchmark === bench);
  const settings = [...new Set(rows.map((r) => r.setting))].sort(byCodeUnit);
  const s = setting ?? (settings.length === 1 ? settings[0] : undefined);
  if (s === undefined) throw new UserError(`benchmark '${bench}' has several settings (${settings.join(", ")}); pick one with --setting`);
  if (!settings.includes(s)) throw new UserError(`benchmark '${bench}' has no setting '${s}' (have: ${settings.join(", ")})`);
  rows = rows.filter((r) => r.setting === s);
  const metrics = [...new Set(rows.map((r) => r.metric))].sort(byCodeUnit);
  const m = metric ?? (metrics.includes("accuracy") ? "accuracy" : metrics.length === 1 ? metrics[0] : undefined);
  if (m === undefined) throw new UserError(`benchmark '${bench}' has several metrics (${metrics.join(", ")}); pick one with --metric`);
  if (!metrics.includes(m)) throw new UserError(`benchmark '${bench}' has no metric '${m}' (have: ${metrics.join(", ")})`);
  const value = new Map<string, number>();
  for (const r of rows) if (r.metric === m && !value.has(r.id)) value.set(r.id, r.value);
  const models = db.models.filter((x) => value.has(x.id)).sort((a, b) => byCodeUnit(a.id, b.id));
  return { benchmark: bench, setting: s, metric: m, models, y: Float64Array.from(models.map((x) => value.get(x.id)!)) };
}

/** Design features of the database: scale first, then `design` columns (extras only when asked). */
export function allFeatures(db: ModelDb, withExtra = false): string[] {
  return ["params", "tokens", ...db.columns.filter((c) => withExtra || c.group === "design").map((c) => c.name)];
}
