/**
 * The Not-Just-Scaling evaluation protocol (performance_predict_from_db.py,
 * train_and_evaluate_w_search), with the same random folds for the same seed:
 *  - outer KFold(3, shuffle, seed); in each outer fold, train_test_split(test 0.2, seed) of the
 *    training part leaves 80% for fitting (the 20% was an unused eval set upstream, so it is
 *    left out here too);
 *  - inner KFold(3, shuffle, seed) grid search over depth {2,3,5} x learning rate
 *    {0.01,0.1,0.3} x trees {50,100} minimising MAE (ties: first in scikit-learn's grid order),
 *    refit on the 80% with the best point, score MAE on the outer test fold;
 *  - baselines on the same 80%: least squares on (ln N, ln D) and the median.
 * The seed's MAE is the mean over the three outer folds.
 */
import { kFold, trainTestSplit } from "../../models/gbdt/folds.js";
import { predict, predictStaged, train, type Booster, type Matrix } from "../../models/gbdt/booster.js";
import { designMatrix, leastSquares, predictLinear } from "../../models/linalg/lstsq.js";
import { median } from "../../models/linalg/median.js";
import { maxOf } from "../../util/array.js";

export interface GridPoint {
  learningRate: number;
  maxDepth: number;
  nTrees: number;
}

export interface Grid {
  learningRate: number[];
  maxDepth: number[];
  nTrees: number[];
}

export const PAPER_GRID: Grid = { maxDepth: [2, 3, 5], learningRate: [0.01, 0.1, 0.3], nTrees: [50, 100] };

/** scikit-learn ParameterGrid order: keys sorted (learning_rate, max_depth, n_estimators), last varies fastest. */
export function gridPoints(g: Grid): GridPoint[] {
  const out: GridPoint[] = [];
  for (const learningRate of g.learningRate) for (const maxDepth of g.maxDepth) for (const nTrees of g.nTrees) out.push({ learningRate, maxDepth, nTrees });
  return out;
}

export function takeRows(X: Matrix, rows: ArrayLike<number>): Matrix {
  const nf = X.nFeatures;
  const values = new Float32Array(rows.length * nf);
  for (let i = 0; i < rows.length; i++) values.set(X.values.subarray(rows[i] * nf, rows[i] * nf + nf), i * nf);
  return { nRows: rows.length, nFeatures: nf, values };
}

function take(y: ArrayLike<number>, rows: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = y[rows[i]];
  return out;
}

export function mae(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += Math.abs(pred[i] - y[i]);
  return s / y.length;
}

/**
 * Inner grid search. Models differing only in the number of trees share their first trees, so
 * each (learning rate, depth) is trained once with the most trees and scored at every count.
 */
export function gridSearch(X: Matrix, y: Float64Array, seed: number, grid: Grid = PAPER_GRID, folds = 3): { best: GridPoint; scores: number[] } {
  const points = gridPoints(grid);
  const splits = kFold(X.nRows, folds, seed);
  const sums = new Float64Array(points.length);
  const counts = [...new Set(grid.nTrees)];
  const maxTrees = maxOf(counts);
  for (const learningRate of grid.learningRate) {
    for (const maxDepth of grid.maxDepth) {
      for (const s of splits) {
        const model = train(takeRows(X, s.train), take(y, s.train), { learningRate, maxDepth, nTrees: maxTrees });
        const yt = take(y, s.test);
        const staged = predictStaged(model, takeRows(X, s.test), counts);
        counts.forEach((c, k) => {
          points.forEach((p, i) => {
            if (p.learningRate === learningRate && p.maxDepth === maxDepth && p.nTrees === c) sums[i] += mae(staged[k], yt);
          });
        });
      }
    }
  }
  // scikit-learn ranks mean test scores; the first best in grid order wins ties
  let best = 0;
  const scores = Array.from(sums, (s) => s / splits.length);
  for (let i = 1; i < points.length; i++) if (scores[i] < scores[best]) best = i;
  return { best: points[best], scores };
}

export interface FoldResult {
  test: Int32Array;
  pred: Float32Array;
  mae: number;
  params: GridPoint;
  loglinearMae: number;
  medianMae: number;
}

export interface SeedResult {
  seed: number;
  mae: number;
  loglinearMae: number;
  medianMae: number;
  folds: FoldResult[];
}

export interface CvOptions {
  grid?: Grid;
  outerFolds?: number;
  innerFolds?: number;
  /** fraction of each outer training part held out (and unused), as upstream */
  holdout?: number;
}

/** The deterministic baselines of one outer fold: least squares on the two scale columns, median. */
export function baselines(scale: Matrix | null, y: Float64Array, fitRows: ArrayLike<number>, testRows: ArrayLike<number>): { loglinearMae: number; medianMae: number } {
  const yfit = take(y, fitRows);
  const yTest = take(y, testRows);
  let loglinearMae = NaN;
  if (scale) {
    const at = (r: number, j: number) => scale.values[r * scale.nFeatures + j];
    const { X: D, n, p } = designMatrix([0, 1].map((j) => Float64Array.from(fitRows, (r) => at(r, j))));
    try {
      const fit = leastSquares(D, n, p, yfit);
      loglinearMae = mae(Array.from(testRows, (r) => predictLinear(fit.coef, [1, at(r, 0), at(r, 1)])), yTest);
    } catch {
      loglinearMae = NaN; // degenerate design (e.g. one distinct size): no baseline
    }
  }
  const med = median(yfit);
  return { loglinearMae, medianMae: mae(Array.from(yTest, () => med), yTest) };
}

/** Baselines only, for one seed (no trees): the mean over outer folds. */
export function baselineSeed(scale: Matrix, y: Float64Array, seed: number, opts: CvOptions = {}): { loglinearMae: number; medianMae: number } {
  let ll = 0;
  let md = 0;
  const outer = kFold(scale.nRows, opts.outerFolds ?? 3, seed);
  for (const o of outer) {
    const tts = trainTestSplit(o.train.length, opts.holdout ?? 0.2, seed);
    const b = baselines(scale, y, take(o.train, tts.train), o.test);
    ll += b.loglinearMae;
    md += b.medianMae;
  }
  return { loglinearMae: ll / outer.length, medianMae: md / outer.length };
}

/**
 * One seed of the protocol. `scale` holds ln N and ln D per row for the least-squares baseline
 * (any two columns; the baseline is skipped when it is null).
 */
export function cvSeed(X: Matrix, y: Float64Array, seed: number, scale: Matrix | null, opts: CvOptions = {}): SeedResult {
  const grid = opts.grid ?? PAPER_GRID;
  const folds: FoldResult[] = [];
  for (const outer of kFold(X.nRows, opts.outerFolds ?? 3, seed)) {
    const tts = trainTestSplit(outer.train.length, opts.holdout ?? 0.2, seed);
    const fitRows = take(outer.train, tts.train);
    const Xfit = takeRows(X, fitRows);
    const yfit = take(y, fitRows);
    const { loglinearMae, medianMae } = baselines(scale, y, fitRows, outer.test);
    const { best } = gridSearch(Xfit, yfit, seed, grid, opts.innerFolds ?? 3);
    const model = train(Xfit, yfit, best);
    const pred = predict(model, takeRows(X, outer.test));
    folds.push({ test: outer.test, pred, mae: mae(pred, take(y, outer.test)), params: best, loglinearMae, medianMae });
  }
  const avg = (f: (r: FoldResult) => number) => folds.reduce((s, r) => s + f(r), 0) / folds.length;
  return { seed, mae: avg((r) => r.mae), loglinearMae: avg((r) => r.loglinearMae), medianMae: avg((r) => r.medianMae), folds };
}

/** Final model on all rows: hyperparameters from an inner grid search on everything. */
export function fitFinal(X: Matrix, y: Float64Array, seed: number, grid: Grid = PAPER_GRID): { model: Booster; params: GridPoint } {
  const { best } = gridSearch(X, y, seed, grid);
  return { model: train(X, y, best), params: best };
}
