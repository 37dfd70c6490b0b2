/**
 * What the fit report draws: the points (fitted on, held out, with their --label names), the
 * fitted curve and its bootstrap band (Chinchilla: the compute-optimal frontier L*(C), when it
 * exists), the --predict points and the compute-optimal points.
 */
import { allocationDefined, optimalAllocation, type Allocation, type ChinchillaParams } from "../../models/laws/allocation.js";
import type { Law } from "../../models/laws/types.js";
import type { FitPlot, FitPlotPoint } from "../../report/fit-report.js";
import { maxOf, minOf } from "../../util/array.js";
import { curveInterval, type Draws } from "./intervals.js";
import type { LoadedData } from "./load.js";
import type { Prediction } from "./types.js";

export function fmt(v: number): string {
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : String(+v.toPrecision(4));
}

function logspace(lo: number, hi: number, n: number, log: boolean): number[] {
  return Array.from({ length: n }, (_, i) => (log ? Math.exp(Math.log(lo) + ((Math.log(hi) - Math.log(lo)) * i) / (n - 1)) : lo + ((hi - lo) * i) / (n - 1)));
}

/** The curve over [lo, hi] with its bootstrap band; draws for which `value` is undefined (NaN) are left out. */
function curveWithBand(value: (p: Record<string, number>, x: number) => number, params: Record<string, number>, draws: Draws, lo: number, hi: number, logX: boolean, level: number): FitPlot["curve"] {
  return logspace(lo, hi, 80, logX).map((xv) => {
    const yv = value(params, xv);
    if (!draws.params.length) return { x: xv, y: yv };
    const vals = Float64Array.from(draws.params, (p) => value(p, xv)).filter(Number.isFinite);
    if (vals.length === 0) return { x: xv, y: yv };
    const [l, h] = curveInterval(vals, level);
    return { x: xv, y: yv, lo: l, hi: h };
  });
}

export function buildPlot(
  law: Law,
  data: LoadedData,
  rows: number[],
  x: Float64Array[],
  y: Float64Array,
  held: Set<number>,
  params: Record<string, number>,
  draws: Draws,
  o: { compute: number[]; level: number },
  predictions: Prediction[],
  allocation: Allocation[] = [],
): FitPlot {
  const isChin = law.name === "chinchilla";
  const single = law.inputs.length === 1;
  const dispX = (i: number) => (isChin ? 6 * x[0][i] * x[1][i] : single ? x[0][i] : i);
  const points: FitPlotPoint[] = Array.from(y.keys(), (i) => {
    const fitted = law.predict(params, x.map((c) => c[i]));
    return { x: dispX(i), y: y[i], fitted, residual: y[i] - fitted, heldOut: held.has(i), where: data.where[rows[i]], label: data.labels?.[rows[i]] };
  });
  const logX = isChin || (single && law.logInputs[0]) || (single && points.every((p) => p.x > 0) && law.space === "log");
  // A prediction's place on the x axis: its input, or its compute 6ND for Chinchilla.
  const predX = (p: Prediction) => (isChin ? 6 * p.x[data.xNames[0]] * p.x[data.xNames[1]] : p.x[data.xNames[0]]);
  const predPts: FitPlot["predictions"] = single || isChin ? predictions.map((p) => ({ x: predX(p), y: p.y, lo: p.ci?.[0], hi: p.ci?.[1] })) : [];
  let curve: FitPlot["curve"] = [];
  const frontier = isChin && allocationDefined(params as unknown as ChinchillaParams);
  if (single || frontier) {
    const extra = isChin ? [...o.compute, ...predPts.map((p) => p.x)] : predPts.map((p) => p.x);
    const xsAll = [...points.map((p) => p.x), ...extra].filter((v) => Number.isFinite(v) && (!logX || v > 0));
    const value = (p: Record<string, number>, xv: number) =>
      isChin ? (allocationDefined(p as unknown as ChinchillaParams) ? optimalAllocation(p as unknown as ChinchillaParams, xv).loss : NaN) : law.predict(p, [xv]);
    curve = curveWithBand(value, params, draws, minOf(xsAll), maxOf(xsAll), logX, o.level);
  }
  return {
    xLabel: isChin ? "training compute C = 6ND (FLOPs)" : single ? data.xNames[0] : "point",
    yLabel: data.yName,
    logX,
    points,
    curve: curve.filter((c) => Number.isFinite(c.y)),
    curveLabel: isChin ? "compute-optimal loss L*(C)" : "fitted law",
    predictions: predPts,
    optimal: allocation.map((a) => ({ x: a.compute, y: a.loss, N: a.N, D: a.D })),
  };
}
