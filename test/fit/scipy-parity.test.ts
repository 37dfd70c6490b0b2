/**
 * Parity with SciPy's L-BFGS-B (Debian python3-scipy) on the Chinchilla objective: the same
 * points, the same starts, the same Huber loss. SciPy is a peer for tests and benchmarks only.
 */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { DEBIAN_PYTHON, hasPythonModule, requireTool } from "../helpers/system.js";
import { SHARED_DATA } from "../helpers/cli.js";
import { chinchilla } from "../../src/models/laws/chinchilla.js";
import { fitLaw, LawObjective, fitFromStarts } from "../../src/models/laws/fit.js";

export const CHINCHILLA_CSV = `${SHARED_DATA}/scaling/chinchilla/svg_extracted_data.csv`;

/** Epoch's 240 points: D = FLOP / (6N), the 5 highest-loss rows dropped. */
export function chinchillaPoints() {
  const rows = readFileSync(CHINCHILLA_CSV, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(","))
    .map((c) => ({ N: Number(c[3]), F: Number(c[4]), L: Number(c[6]) }))
    .sort((a, b) => a.L - b.L)
    .slice(0, -5);
  return {
    N: Float64Array.from(rows, (r) => r.N),
    D: Float64Array.from(rows, (r) => r.F / (6 * r.N)),
    L: Float64Array.from(rows, (r) => r.L),
  };
}

const SCIPY = `
import json, sys
import numpy as np
from scipy.optimize import minimize
d = json.load(sys.stdin)
lN, lD, lL = np.log(d["N"]), np.log(d["D"]), np.log(d["L"])
delta = 1e-3
def obj(p):
    a, b, e, al, be = p
    t = np.stack([a - al * lN, b - be * lD, np.full_like(lN, e)])
    m = t.max(0); w = np.exp(t - m); s = w.sum(0)
    r = m + np.log(s) - lL
    ar = np.abs(r)
    h = np.where(ar <= delta, 0.5 * r * r, delta * (ar - 0.5 * delta))
    dh = np.where(ar <= delta, r, delta * np.sign(r)) / s
    g = np.array([(dh * w[0]).sum(), (dh * w[1]).sum(), (dh * w[2]).sum(), -(dh * w[0] * lN).sum(), -(dh * w[1] * lD).sum()])
    return h.sum(), g
out = []
for x0 in d["starts"]:
    r = minimize(obj, np.array(x0, float), jac=True, method="L-BFGS-B")
    out.append({"x": r.x.tolist(), "f": float(r.fun), "nit": int(r.nit), "success": bool(r.success)})
print(json.dumps(out))
`;

describe("Chinchilla fit parity with SciPy L-BFGS-B", () => {
  const present = requireTool("python3-scipy", hasPythonModule("scipy"));
  it.skipIf(!present)("reaches the same optimum from the same starts", () => {
    const { N, D, L } = chinchillaPoints();
    // A slice of Hoffmann's grid: a, b ∈ {5, 15, 25}, e ∈ {0, 1}, alpha = beta = 0.5 → 18 starts.
    const starts = chinchilla.starts({ x: [N, D], y: L }).filter((s) => [5, 15, 25].includes(s[0]) && [5, 15, 25].includes(s[1]) && (s[2] === 0 || s[2] === 1) && s[3] === 0.5 && s[4] === 0.5);
    expect(starts.length).toBe(18);
    const py = JSON.parse(
      execFileSync(DEBIAN_PYTHON, ["-c", SCIPY], { input: JSON.stringify({ N: [...N], D: [...D], L: [...L], starts: starts.map((s) => [...s]) }), encoding: "utf8" }),
    ) as Array<{ x: number[]; f: number; nit: number }>;
    const ours = fitLaw(chinchilla, { x: [N, D], y: L }, { starts });
    const best = py.reduce((a, b) => (b.f < a.f ? b : a));
    expect(ours.objective).toBeCloseTo(best.f, 9);
    ours.theta.forEach((v, j) => expect(Math.abs(v - best.x[j])).toBeLessThan(2e-3 * Math.max(1, Math.abs(best.x[j]))));

    // Run by run, the same rules (line search, memory, stopping tests) retrace SciPy's path:
    // same objective and (nearly) the same iteration count from most starts. Long runs may
    // part ways through floating-point differences in the sums, so not all 18 are required.
    const obj = new LawObjective(chinchilla, { x: [N, D], y: L }, 1e-3);
    let same = 0;
    starts.forEach((s, i) => {
      const r = fitFromStarts(obj, [s]);
      if (Math.abs(r.objective - py[i].f) <= 1e-6 * py[i].f && Math.abs(r.iterations - py[i].nit) <= 3) same++;
    });
    expect(same).toBeGreaterThanOrEqual(12);
  });
});
