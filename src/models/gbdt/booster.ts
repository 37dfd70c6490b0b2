/**
 * Gradient-boosted regression trees for squared error, xgboost-style: start from a constant
 * base score, fit each tree to the gradients (pred - y, hessian 1), shrink its leaves by the
 * learning rate. Deterministic: no row or column sampling. Arithmetic on predictions and
 * gradients is float32, like xgboost, so results agree with it to float precision.
 */
import { binMatrix } from "./binning.js";
import { TreeGrower } from "./grow.js";
import { leafIndex, type Tree } from "./tree.js";

export interface BoosterParams {
  nTrees: number;
  learningRate: number;
  maxDepth: number;
  lambda?: number;
  alpha?: number;
  gamma?: number;
  minChildWeight?: number;
  /** initial prediction; xgboost 1.x uses 0.5 */
  baseScore?: number;
  maxBins?: number;
  /** stop when the validation MAE has not improved for this many rounds (needs `valid`) */
  earlyStoppingRounds?: number;
}

export const DEFAULTS = { lambda: 1, alpha: 0, gamma: 0, minChildWeight: 1, baseScore: 0.5, maxBins: 256 } as const;

/** A dense design matrix: row-major values, NaN = missing. */
export interface Matrix {
  nRows: number;
  nFeatures: number;
  values: Float32Array;
}

export interface Booster {
  baseScore: number;
  nFeatures: number;
  trees: Tree[];
  /** trees kept after early stopping (= trees.length without it) */
  bestIteration: number;
}

export function matrix(rows: ArrayLike<ArrayLike<number>>, nFeatures?: number): Matrix {
  const nr = rows.length;
  const nf = nFeatures ?? (nr > 0 ? rows[0].length : 0);
  const values = new Float32Array(nr * nf);
  for (let i = 0; i < nr; i++) for (let j = 0; j < nf; j++) values[i * nf + j] = rows[i][j];
  return { nRows: nr, nFeatures: nf, values };
}

export function train(X: Matrix, y: ArrayLike<number>, params: BoosterParams, valid?: { X: Matrix; y: ArrayLike<number> }): Booster {
  const p = { ...DEFAULTS, ...params };
  if (!(p.nTrees >= 0) || !(p.maxDepth >= 0) || !(p.learningRate > 0)) throw new Error("invalid booster parameters");
  if (y.length !== X.nRows) throw new Error(`labels (${y.length}) and rows (${X.nRows}) differ`);
  const n = X.nRows;
  const binned = binMatrix(X.values, n, X.nFeatures, p.maxBins);
  const grower = new TreeGrower(binned, p);
  const base = Math.fround(p.baseScore);
  const pred = new Float32Array(n).fill(base);
  const grad = new Float32Array(n);
  const hess = new Float32Array(n).fill(1);
  const yf = Float32Array.from(y as ArrayLike<number>);
  const trees: Tree[] = [];
  const validPred = valid ? new Float32Array(valid.X.nRows).fill(base) : null;
  let bestMae = Infinity;
  let bestIteration = 0;
  for (let t = 0; t < p.nTrees; t++) {
    for (let i = 0; i < n; i++) grad[i] = pred[i] - yf[i];
    const tree = grower.grow(grad, hess);
    trees.push(tree);
    for (let i = 0; i < n; i++) pred[i] += tree.value[grower.position[i]];
    if (valid && validPred && p.earlyStoppingRounds !== undefined) {
      let mae = 0;
      for (let i = 0; i < valid.X.nRows; i++) {
        validPred[i] += tree.value[leafIndex(tree, valid.X.values, i, valid.X.nFeatures)];
        mae += Math.abs(validPred[i] - valid.y[i]);
      }
      mae /= Math.max(1, valid.X.nRows);
      if (mae < bestMae) {
        bestMae = mae;
        bestIteration = t + 1;
      } else if (t + 1 - bestIteration >= p.earlyStoppingRounds) break;
    }
  }
  if (!(valid && p.earlyStoppingRounds !== undefined)) bestIteration = trees.length;
  return { baseScore: base, nFeatures: X.nFeatures, trees: trees.slice(0, bestIteration), bestIteration };
}

/** Predictions with the first `nTrees` trees (all by default), accumulated in float32. */
export function predict(model: Booster, X: Matrix, nTrees = model.trees.length): Float32Array {
  if (X.nFeatures !== model.nFeatures) throw new Error(`model has ${model.nFeatures} features, data ${X.nFeatures}`);
  const out = new Float32Array(X.nRows).fill(model.baseScore);
  const k = Math.min(nTrees, model.trees.length);
  for (let t = 0; t < k; t++) {
    const tree = model.trees[t];
    for (let i = 0; i < X.nRows; i++) out[i] += tree.value[leafIndex(tree, X.values, i, X.nFeatures)];
  }
  return out;
}

/**
 * Predictions after each of the given tree counts, in one pass (for grid searches over the
 * number of trees: the first 50 trees of a 100-tree model are the 50-tree model).
 */
export function predictStaged(model: Booster, X: Matrix, counts: number[]): Float32Array[] {
  const sorted = [...counts].sort((a, b) => a - b);
  const acc = new Float32Array(X.nRows).fill(model.baseScore);
  const byCount = new Map<number, Float32Array>();
  let t = 0;
  for (const c of sorted) {
    const k = Math.min(c, model.trees.length);
    for (; t < k; t++) {
      const tree = model.trees[t];
      for (let i = 0; i < X.nRows; i++) acc[i] += tree.value[leafIndex(tree, X.values, i, X.nFeatures)];
    }
    byCount.set(c, acc.slice());
  }
  return counts.map((c) => byCount.get(c)!);
}
