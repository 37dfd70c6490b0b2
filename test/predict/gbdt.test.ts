import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { matrix, predict, train, type Booster, type Matrix } from "../../src/models/gbdt/booster.js";
import { expectedValue, shapValues } from "../../src/models/gbdt/shap.js";
import { binMatrix } from "../../src/models/gbdt/binning.js";
import type { Tree } from "../../src/models/gbdt/tree.js";
import { MT19937 } from "../../src/models/gbdt/mt19937.js";
import { DEBIAN_PYTHON, hasPythonModule, requireTool } from "../helpers/system.js";

/** Small data with integer-valued features, a continuous one and ~15% missing cells. */
function synthetic(n: number, seed: number, missing = 0.15): { X: Matrix; y: Float64Array; rows: (number | null)[][] } {
  const rng = new MT19937(seed);
  const rows: (number | null)[][] = [];
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r: (number | null)[] = [rng.interval(7), rng.interval(7), rng.interval(3), Math.fround(rng.random() * 4 - 2)];
    for (let j = 0; j < 4; j++) if (rng.random() < missing) r[j] = null;
    rows.push(r);
    y[i] = 0.1 * (r[0] ?? 3) + 0.05 * (r[1] ?? -2) + (r[2] === 1 ? 0.2 : 0) + 0.1 * Math.sin(r[3] ?? 0) + 0.05 * (rng.random() - 0.5);
  }
  return { X: matrix(rows.map((r) => r.map((v) => (v === null ? NaN : v)))), y, rows };
}

/** Shapley values by enumerating subsets, with E[f | x_S] following covers (TreeSHAP's definition). */
function bruteShap(model: Booster, x: Float32Array): number[] {
  const M = model.nFeatures;
  const cond = (t: Tree, node: number, S: number): number => {
    if (t.left[node] === -1) return t.value[node];
    const f = t.feature[node];
    if (S & (1 << f)) {
      const v = x[f];
      const left = Number.isNaN(v) ? t.defaultLeft[node] === 1 : v < t.threshold[node];
      return cond(t, left ? t.left[node] : t.right[node], S);
    }
    const l = t.left[node];
    const r = t.right[node];
    return (t.cover[l] * cond(t, l, S) + t.cover[r] * cond(t, r, S)) / t.cover[node];
  };
  const v = (S: number) => model.trees.reduce((s, t) => s + cond(t, 0, S), 0);
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi = new Array(M).fill(0);
  for (let i = 0; i < M; i++) {
    for (let S = 0; S < 1 << M; S++) {
      if (S & (1 << i)) continue;
      const size = [...Array(M).keys()].filter((k) => S & (1 << k)).length;
      const w = (fact(size) * fact(M - size - 1)) / fact(M);
      phi[i] += w * (v(S | (1 << i)) - v(S));
    }
  }
  return phi;
}

describe("gradient-boosted trees", () => {
  it("is deterministic and fits the training data", () => {
    const { X, y } = synthetic(80, 1);
    const a = train(X, y, { nTrees: 60, learningRate: 0.3, maxDepth: 3 });
    const b = train(X, y, { nTrees: 60, learningRate: 0.3, maxDepth: 3 });
    expect(Array.from(predict(a, X))).toEqual(Array.from(predict(b, X)));
    const p = predict(a, X);
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    let mae = 0;
    let base = 0;
    for (let i = 0; i < y.length; i++) {
      mae += Math.abs(p[i] - y[i]);
      base += Math.abs(mean - y[i]);
    }
    expect(mae).toBeLessThan(0.3 * base);
  });

  it("learns the default direction for missing values", () => {
    // x present: y = 0 below 5, 1 above; x missing: y = 1 -> missing must go right (with the high values)
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 30; i++) {
      rows.push([i % 10]);
      y.push(i % 10 < 5 ? 0 : 1);
    }
    for (let i = 0; i < 10; i++) {
      rows.push([NaN]);
      y.push(1);
    }
    const m = train(matrix(rows), y, { nTrees: 1, learningRate: 1, maxDepth: 1, lambda: 0 });
    const t = m.trees[0];
    expect(t.feature[0]).toBe(0);
    expect(t.threshold[0]).toBeCloseTo(4.5, 6);
    expect(t.defaultLeft[0]).toBe(0);
    const p = predict(m, matrix([[NaN], [2], [8]]));
    expect(p[0]).toBeCloseTo(p[2], 6);
    expect(p[1]).toBeLessThan(p[2]);
  });

  it("gamma prunes weak splits and min child weight blocks small leaves", () => {
    const { X, y } = synthetic(60, 2);
    const nodes = (m: Booster) => m.trees.reduce((s, t) => s + countLeaves(t), 0);
    const free = train(X, y, { nTrees: 5, learningRate: 0.3, maxDepth: 5 });
    const pruned = train(X, y, { nTrees: 5, learningRate: 0.3, maxDepth: 5, gamma: 0.05 });
    const heavy = train(X, y, { nTrees: 5, learningRate: 0.3, maxDepth: 5, minChildWeight: 20 });
    expect(nodes(pruned)).toBeLessThan(nodes(free));
    expect(nodes(heavy)).toBeLessThan(nodes(free));
    for (const t of heavy.trees) for (let i = 0; i < t.cover.length; i++) if (reachable(t, i)) expect(t.cover[i]).toBeGreaterThanOrEqual(20);
  });

  it("stops early on a validation set", () => {
    const { X, y } = synthetic(80, 3);
    const valid = synthetic(40, 4);
    const m = train(X, y, { nTrees: 400, learningRate: 0.3, maxDepth: 5, earlyStoppingRounds: 10 }, valid);
    expect(m.bestIteration).toBeLessThan(400);
    expect(m.trees.length).toBe(m.bestIteration);
  });

  it("quantile-bins columns with more distinct values than bins", () => {
    const rng = new MT19937(9);
    const rows = Array.from({ length: 2000 }, () => [rng.random() * 10]);
    const y = rows.map((r) => Math.sin(r[0]));
    const X = matrix(rows);
    const b = binMatrix(X.values, X.nRows, 1, 64);
    expect(b.features[0].lo.length).toBeLessThanOrEqual(64);
    const m = train(X, y, { nTrees: 100, learningRate: 0.3, maxDepth: 4, maxBins: 64 });
    const p = predict(m, X);
    const mae = y.reduce((s, v, i) => s + Math.abs(p[i] - v), 0) / y.length;
    expect(mae).toBeLessThan(0.05);
  });
});

function countLeaves(t: Tree, n = 0): number {
  return t.left[n] === -1 ? 1 : countLeaves(t, t.left[n]) + countLeaves(t, t.right[n]);
}
function reachable(t: Tree, target: number, n = 0): boolean {
  if (n === target) return true;
  return t.left[n] !== -1 && (reachable(t, target, t.left[n]) || reachable(t, target, t.right[n]));
}

describe("TreeSHAP", () => {
  it("is exact: contributions sum to prediction minus base value", () => {
    const { X, y } = synthetic(70, 5);
    const m = train(X, y, { nTrees: 40, learningRate: 0.1, maxDepth: 5 });
    const s = shapValues(m, X);
    const p = predict(m, X);
    const base = expectedValue(m);
    for (let i = 0; i < X.nRows; i++) {
      let sum = 0;
      for (let j = 0; j < 4; j++) sum += s[i * 5 + j];
      expect(s[i * 5 + 4]).toBeCloseTo(base, 12);
      expect(sum + base).toBeCloseTo(p[i], 5);
    }
  });

  it("equals brute-force Shapley values on small trees", () => {
    const { X, y } = synthetic(50, 6);
    const m = train(X, y, { nTrees: 4, learningRate: 0.3, maxDepth: 3 });
    const s = shapValues(m, X);
    for (let i = 0; i < 12; i++) {
      const ref = bruteShap(m, X.values.subarray(i * 4, i * 4 + 4));
      for (let j = 0; j < 4; j++) expect(s[i * 5 + j]).toBeCloseTo(ref[j], 10);
    }
  });
});

describe.skipIf(!requireTool("python3-xgboost", hasPythonModule("xgboost")))("parity with xgboost 1.7.4", () => {
  it("grows the same trees (predictions) and the same SHAP values as pred_contribs", () => {
    const train1 = synthetic(60, 7);
    const test1 = synthetic(25, 8, 0.25);
    const configs = [
      [2, 0.3, 50],
      [5, 0.1, 100],
      [3, 0.01, 50],
    ];
    const py = `
import json, sys
import numpy as np, xgboost as xgb
d = json.load(sys.stdin)
f = lambda rows: np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=np.float32)
X, Xt, y = f(d["X"]), f(d["Xt"]), np.array(d["y"])
out = []
for depth, lr, n in d["configs"]:
    m = xgb.XGBRegressor(max_depth=depth, learning_rate=lr, n_estimators=n, objective="reg:squarederror", missing=np.nan, n_jobs=1)
    m.fit(X, y)
    contribs = m.get_booster().predict(xgb.DMatrix(Xt, missing=np.nan), pred_contribs=True)
    out.append({"pred": m.predict(Xt).tolist(), "shap": contribs.tolist()})
print(json.dumps(out))`;
    const ref = JSON.parse(
      execFileSync(DEBIAN_PYTHON, ["-c", py], { input: JSON.stringify({ X: train1.rows, Xt: test1.rows, y: Array.from(train1.y), configs }) }).toString(),
    );
    configs.forEach(([maxDepth, learningRate, nTrees], k) => {
      const m = train(train1.X, train1.y, { maxDepth, learningRate, nTrees });
      const p = predict(m, test1.X);
      const s = shapValues(m, test1.X);
      for (let i = 0; i < test1.X.nRows; i++) {
        expect(p[i]).toBeCloseTo(ref[k].pred[i], 6);
        for (let j = 0; j < 5; j++) expect(s[i * 5 + j]).toBeCloseTo(ref[k].shap[i][j], 5);
      }
    });
  });
});
