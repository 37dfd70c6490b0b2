/**
 * `npm run bench -- fit [--resamples 4000] [--scipy-resamples N] [--threads 2]`
 *
 * Epoch's Chinchilla fit (240 points, Huber δ = 1e-3, Hoffmann's 4,500-start grid) and a
 * bootstrap, in datatailor and in SciPy's L-BFGS-B (Debian /usr/bin/python3) on the same
 * points, the same starts and the same resamples, in one run. Prints both optima, both times
 * and the ratio. SciPy is a benchmark peer only; the package never depends on it.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadFitData } from "../src/pipelines/fit/load.js";
import { runStarts, resampleRng, type TaskData } from "../src/pipelines/fit/tasks.js";
import { parallelBootstrap, parallelStarts } from "../src/pipelines/fit/parallel.js";
import { pickBootstrapStarts } from "../src/pipelines/fit/run.js";
import { chinchilla } from "../src/models/laws/chinchilla.js";
import { resampleWeights } from "../src/models/stats/bootstrap.js";
import { percentileInterval } from "../src/models/stats/quantile.js";

const args = process.argv.slice(2);
const flag = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const RESAMPLES = flag("--resamples", 4000);
const SCIPY_RESAMPLES = flag("--scipy-resamples", RESAMPLES);
const THREADS = flag("--threads", Math.min(2, os.availableParallelism()));
const SEED = 0;
const CSV = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../shared/data/scaling/chinchilla/svg_extracted_data.csv");

const data = await loadFitData(CSV, ["N=Model Size", "D=`Training FLOP`/(6*`Model Size`)"], "loss");
// Epoch drop the 5 highest-loss points.
const keep = Array.from(data.y.keys()).sort((a, b) => data.y[a] - data.y[b]).slice(0, data.y.length - 5).sort((a, b) => a - b);
const N = Float64Array.from(keep, (i) => data.x[0][i]);
const D = Float64Array.from(keep, (i) => data.x[1][i]);
const L = Float64Array.from(keep, (i) => data.y[i]);
const task: TaskData = { law: { spec: "chinchilla", inputs: ["N", "D"] }, x: [N, D], y: L, delta: 1e-3 };
const starts = chinchilla.starts({ x: [N, D], y: L });

function best(r: { objective: Float64Array; converged: Uint8Array; theta: Float64Array }) {
  let b = -1;
  for (let s = 0; s < r.objective.length; s++) {
    if (!r.converged[s] || !Number.isFinite(r.objective[s])) continue;
    if (b < 0 || r.objective[s] < r.objective[b]) b = s;
  }
  return { f: r.objective[b], theta: r.theta.slice(b * 5, b * 5 + 5) };
}
const show = (t: ArrayLike<number>) =>
  `A=${Math.exp(t[0]).toFixed(2)} B=${Math.exp(t[1]).toFixed(2)} E=${Math.exp(t[2]).toFixed(4)} alpha=${t[3].toFixed(4)} beta=${t[4].toFixed(4)}`;

console.log(`Chinchilla fit: ${L.length} points, ${starts.length} starts, Huber delta 1e-3 (machine: ${os.availableParallelism()} cores, load average ${os.loadavg().map((v) => v.toFixed(2)).join(", ")})`);

let t = performance.now();
const one = runStarts(task, starts);
const ours1 = (performance.now() - t) / 1000;
t = performance.now();
const many = await parallelStarts(task, starts, THREADS);
const oursN = (performance.now() - t) / 1000;
const ob = best(many);
const ob1 = best(one);
console.log(`datatailor grid, 1 thread : ${ours1.toFixed(2)} s  objective ${ob1.f.toPrecision(9)}  ${show(ob1.theta)}`);
console.log(`datatailor grid, ${THREADS} threads: ${oursN.toFixed(2)} s  objective ${ob.f.toPrecision(9)}  ${show(ob.theta)}`);

const bStarts = pickBootstrapStarts(ob.theta, starts, many.objective, many.theta, 4);
t = performance.now();
const boot = await parallelBootstrap(task, bStarts, SEED, RESAMPLES, THREADS);
const oursBoot = (performance.now() - t) / 1000;
const ci = (th: Float64Array, j: number, f: (v: number) => number) =>
  percentileInterval(Float64Array.from({ length: th.length / 5 }, (_, b) => f(th[b * 5 + j])), 0.95).map((v) => v.toFixed(4)).join(", ");
const ciLine = (th: Float64Array) => `E [${ci(th, 2, Math.exp)}] alpha [${ci(th, 3, (v) => v)}] beta [${ci(th, 4, (v) => v)}]`;
console.log(`datatailor bootstrap ${RESAMPLES} x ${bStarts.length} starts, ${THREADS} threads: ${oursBoot.toFixed(2)} s  95% ${ciLine(boot.theta)}`);

// SciPy on the same points, starts and resample weights.
const tmp = mkdtempSync(path.join(os.tmpdir(), "dt-bench-fit-"));
const weights: number[][] = [];
const w = new Float64Array(L.length);
for (let b = 0; b < SCIPY_RESAMPLES; b++) weights.push(Array.from(resampleWeights(resampleRng(SEED, b), w)));
const input = path.join(tmp, "in.json");
writeFileSync(input, JSON.stringify({ N: [...N], D: [...D], L: [...L], starts: starts.map((s) => [...s]), bstarts: bStarts.map((s) => [...s]), weights }));
const PY = `
import json, sys, time
import numpy as np
from scipy.optimize import minimize
d = json.load(open(sys.argv[1]))
lN, lD, lL = np.log(d["N"]), np.log(d["D"]), np.log(d["L"])
delta = 1e-3
def obj(p, wt):
    a, b, e, al, be = p
    t = np.stack([a - al * lN, b - be * lD, np.full_like(lN, e)])
    m = t.max(0); w = np.exp(t - m); s = w.sum(0)
    r = m + np.log(s) - lL
    ar = np.abs(r)
    h = np.where(ar <= delta, 0.5 * r * r, delta * (ar - 0.5 * delta))
    dh = wt * np.where(ar <= delta, r, delta * np.sign(r)) / s
    g = np.array([(dh * w[0]).sum(), (dh * w[1]).sum(), (dh * w[2]).sum(), -(dh * w[0] * lN).sum(), -(dh * w[1] * lD).sum()])
    return (wt * h).sum(), g
ones = np.ones_like(lN)
t0 = time.perf_counter()
best = None
for x0 in d["starts"]:
    r = minimize(obj, np.array(x0, float), args=(ones,), jac=True, method="L-BFGS-B")
    if r.success and (best is None or r.fun < best.fun): best = r
grid_s = time.perf_counter() - t0
t0 = time.perf_counter()
thetas = []
for wt in d["weights"]:
    wt = np.array(wt, float)
    bb = None
    for x0 in d["bstarts"]:
        r = minimize(obj, np.array(x0, float), args=(wt,), jac=True, method="L-BFGS-B")
        if bb is None or (r.success and not bb.success) or (r.success == bb.success and r.fun < bb.fun): bb = r
    thetas.append(bb.x.tolist())
boot_s = time.perf_counter() - t0
print(json.dumps({"grid_s": grid_s, "f": float(best.fun), "x": best.x.tolist(), "boot_s": boot_s, "thetas": thetas}))
`;
console.log(`scipy: running the same grid and ${SCIPY_RESAMPLES} resamples (single-threaded)...`);
const py = JSON.parse(execFileSync("/usr/bin/python3", ["-c", PY, input], { encoding: "utf8", maxBuffer: 1 << 28 })) as {
  grid_s: number;
  f: number;
  x: number[];
  boot_s: number;
  thetas: number[][];
};
console.log(`scipy L-BFGS-B grid, 1 thread: ${py.grid_s.toFixed(2)} s  objective ${py.f.toPrecision(9)}  ${show(py.x)}`);
const pyTheta = Float64Array.from(py.thetas.flat());
console.log(`scipy bootstrap ${SCIPY_RESAMPLES} x ${bStarts.length} starts: ${py.boot_s.toFixed(2)} s  95% ${ciLine(pyTheta)}`);
const pyBootFull = (py.boot_s * RESAMPLES) / Math.max(1, SCIPY_RESAMPLES);
console.log("");
console.log(`optimum: |objective difference| = ${Math.abs(ob.f - py.f).toExponential(2)}, max |theta difference| = ${Math.max(...ob.theta.map((v, j) => Math.abs(v - py.x[j]))).toExponential(2)}`);
console.log(`grid:      scipy ${py.grid_s.toFixed(2)} s / datatailor ${ours1.toFixed(2)} s (1 thread) = ${(py.grid_s / ours1).toFixed(2)}x;  / ${oursN.toFixed(2)} s (${THREADS} threads) = ${(py.grid_s / oursN).toFixed(2)}x`);
console.log(
  `bootstrap: scipy ${pyBootFull.toFixed(2)} s${SCIPY_RESAMPLES !== RESAMPLES ? ` (extrapolated from ${SCIPY_RESAMPLES})` : ""} / datatailor ${oursBoot.toFixed(2)} s (${THREADS} threads) = ${(pyBootFull / oursBoot).toFixed(2)}x`,
);
console.log(`load average at the end: ${os.loadavg().map((v) => v.toFixed(2)).join(", ")} (1, 5, 15 min)`);
