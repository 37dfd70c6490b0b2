/**
 * What tune eval concludes from its cells: paired bootstrap intervals for FT − base and
 * FTICL − FT (or each model against the first) per test set and shot count, and per model the
 * in-domain gain over the base model against its mean out-of-domain gain. Scores are in points.
 */
import { pairedBootstrap, type PairedDiff } from "./paired-bootstrap.js";

export interface Comparison extends PairedDiff {
  a: string;
  b: string;
  test: string;
  shots: number;
}

export interface Gain {
  model: string;
  shots: number;
  base: string;
  inDomain: number;
  outOfDomain: number;
  outTests: number;
}

/** Per-item scores (0–1) of one model on one test set at one shot count. */
export type ItemScores = (model: string, test: string, shots: number) => Float64Array;

/** FT − base and FTICL − FT when those names are used; otherwise every model against the first. */
export function comparisonPairs(names: string[]): Array<[string, string]> {
  const find = (n: string) => names.find((x) => x.toLowerCase() === n);
  const base = find("base");
  const ft = find("ft");
  const fticl = find("fticl");
  const pairs: Array<[string, string]> = [];
  if (ft && base) pairs.push([ft, base]);
  if (fticl && ft) pairs.push([fticl, ft]);
  if (pairs.length === 0) for (const n of names.slice(1)) pairs.push([n, names[0]]);
  return pairs;
}

export function compareModels(names: string[], tests: string[], shots: number[], scores: ItemScores, opts: { seed: number; resamples: number }): Comparison[] {
  const out: Comparison[] = [];
  for (const [a, b] of comparisonPairs(names)) {
    for (const t of tests) {
      for (const s of shots) {
        const d = pairedBootstrap(scores(a, t, s), scores(b, t, s), opts);
        out.push({ a, b, test: t, shots: s, ...d, diff: 100 * d.diff, lo: 100 * d.lo, hi: 100 * d.hi });
      }
    }
  }
  return out;
}

/** Gains over the model named "base" (else the first), from mean scores in points. */
export function gainsOverBase(names: string[], tests: Array<{ name: string; domain: "in" | "out" }>, shots: number[], score: (m: string, t: string, s: number) => number): Gain[] {
  const base = names.find((n) => n.toLowerCase() === "base") ?? names[0];
  const ins = tests.filter((t) => t.domain === "in");
  const outs = tests.filter((t) => t.domain === "out");
  const gains: Gain[] = [];
  for (const m of names) {
    if (m === base) continue;
    for (const s of shots) {
      const mean = (ts: typeof tests) => (ts.length ? ts.reduce((a, t) => a + score(m, t.name, s) - score(base, t.name, s), 0) / ts.length : NaN);
      gains.push({ model: m, shots: s, base, inDomain: mean(ins), outOfDomain: mean(outs), outTests: outs.length });
    }
  }
  return gains;
}
