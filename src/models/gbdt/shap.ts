/**
 * Exact TreeSHAP (Lundberg, Erion & Lee 2018, Algorithm 2): per-feature Shapley values of a
 * tree ensemble's prediction in polynomial time, tracking for each path the fraction of
 * "zero" (feature unknown, follow covers) and "one" (feature known, follow x) paths.
 * contributions[j] summed over j plus `base` equals the prediction (exactness), where base is
 * the base score plus each tree's cover-weighted mean leaf value.
 */
import type { Booster, Matrix } from "./booster.js";
import type { Tree } from "./tree.js";

/** Expected output of a tree under its training cover distribution. */
export function treeExpectation(tree: Tree, node = 0): number {
  if (tree.left[node] === -1) return tree.value[node];
  const l = tree.left[node];
  const r = tree.right[node];
  const c = tree.cover[node];
  if (!(c > 0)) return 0;
  return (tree.cover[l] * treeExpectation(tree, l) + tree.cover[r] * treeExpectation(tree, r)) / c;
}

export function expectedValue(model: Booster): number {
  let s = model.baseScore;
  for (const t of model.trees) s += treeExpectation(t);
  return s;
}

/** Path element arrays, preallocated for the deepest tree: (depth+2) levels of (depth+2) slots. */
class PathPool {
  readonly d: Int32Array;
  readonly z: Float64Array;
  readonly o: Float64Array;
  readonly w: Float64Array;
  constructor(readonly slots: number) {
    const size = slots * slots;
    this.d = new Int32Array(size);
    this.z = new Float64Array(size);
    this.o = new Float64Array(size);
    this.w = new Float64Array(size);
  }
}

function maxDepth(tree: Tree, n = 0): number {
  return tree.left[n] === -1 ? 0 : 1 + Math.max(maxDepth(tree, tree.left[n]), maxDepth(tree, tree.right[n]));
}

/**
 * SHAP values for every row: a Float64Array of nRows * (nFeatures + 1), the last column of
 * each row being the base value.
 */
export function shapValues(model: Booster, X: Matrix): Float64Array {
  const nf = model.nFeatures;
  const out = new Float64Array(X.nRows * (nf + 1));
  let depth = 0;
  for (const t of model.trees) depth = Math.max(depth, maxDepth(t));
  const pool = new PathPool(depth + 2);
  const base = expectedValue(model);
  const phi = new Float64Array(nf);
  for (let i = 0; i < X.nRows; i++) {
    phi.fill(0);
    for (const tree of model.trees) treeShap(tree, X.values, i * X.nFeatures, phi, pool);
    const o = i * (nf + 1);
    for (let j = 0; j < nf; j++) out[o + j] = phi[j];
    out[o + nf] = base;
  }
  return out;
}

function treeShap(tree: Tree, x: Float32Array, rowOff: number, phi: Float64Array, pool: PathPool): void {
  recurse(tree, x, rowOff, phi, pool, 0, 0, 0, 1, 1, -1);
}

/** Extends the path stored at level `lvl` (length `len`) in place by one element. */
function extend(pool: PathPool, base: number, len: number, pz: number, po: number, pi: number): void {
  const { d, z, o, w } = pool;
  d[base + len] = pi;
  z[base + len] = pz;
  o[base + len] = po;
  w[base + len] = len === 0 ? 1 : 0;
  for (let i = len - 1; i >= 0; i--) {
    w[base + i + 1] += (po * w[base + i] * (i + 1)) / (len + 1);
    w[base + i] = (pz * w[base + i] * (len - i)) / (len + 1);
  }
}

/** Removes element `idx` from the path at `base` of length `len` (len-1 remains). */
function unwind(pool: PathPool, base: number, len: number, idx: number): void {
  const { d, z, o, w } = pool;
  const l = len - 1;
  const oi = o[base + idx];
  const zi = z[base + idx];
  let next = w[base + l];
  for (let j = l - 1; j >= 0; j--) {
    if (oi !== 0) {
      const tmp = w[base + j];
      w[base + j] = (next * (l + 1)) / ((j + 1) * oi);
      next = tmp - (w[base + j] * zi * (l - j)) / (l + 1);
    } else {
      w[base + j] = (w[base + j] * (l + 1)) / (zi * (l - j));
    }
  }
  for (let j = idx; j < l; j++) {
    d[base + j] = d[base + j + 1];
    z[base + j] = z[base + j + 1];
    o[base + j] = o[base + j + 1];
  }
}

/** Sum of path weights if element `idx` were unwound, without modifying the path. */
function unwoundSum(pool: PathPool, base: number, len: number, idx: number): number {
  const { z, o, w } = pool;
  const l = len - 1;
  const oi = o[base + idx];
  const zi = z[base + idx];
  let total = 0;
  if (oi !== 0) {
    let next = w[base + l];
    for (let j = l - 1; j >= 0; j--) {
      const t = (next * (l + 1)) / ((j + 1) * oi);
      total += t;
      next = w[base + j] - (t * zi * (l - j)) / (l + 1);
    }
  } else {
    for (let j = l - 1; j >= 0; j--) total += (w[base + j] * (l + 1)) / (zi * (l - j));
  }
  return total;
}

function recurse(tree: Tree, x: Float32Array, rowOff: number, phi: Float64Array, pool: PathPool, node: number, lvl: number, parentLen: number, pz: number, po: number, pi: number): void {
  // copy the parent's path into this level's slots, then extend it
  const base = lvl * pool.slots;
  if (lvl > 0) {
    const pb = (lvl - 1) * pool.slots;
    pool.d.copyWithin(base, pb, pb + parentLen);
    pool.z.copyWithin(base, pb, pb + parentLen);
    pool.o.copyWithin(base, pb, pb + parentLen);
    pool.w.copyWithin(base, pb, pb + parentLen);
  }
  let len = parentLen;
  extend(pool, base, len, pz, po, pi);
  len++;
  if (tree.left[node] === -1) {
    const v = tree.value[node];
    for (let i = 1; i < len; i++) {
      const s = unwoundSum(pool, base, len, i);
      phi[pool.d[base + i]] += s * (pool.o[base + i] - pool.z[base + i]) * v;
    }
    return;
  }
  const f = tree.feature[node];
  const xv = x[rowOff + f];
  const goLeft = Number.isNaN(xv) ? tree.defaultLeft[node] === 1 : xv < tree.threshold[node];
  const hot = goLeft ? tree.left[node] : tree.right[node];
  const cold = goLeft ? tree.right[node] : tree.left[node];
  const c = tree.cover[node];
  let iz = 1;
  let io = 1;
  // a feature already on the path: undo its earlier split so it is counted once
  for (let k = 1; k < len; k++) {
    if (pool.d[base + k] === f) {
      iz = pool.z[base + k];
      io = pool.o[base + k];
      unwind(pool, base, len, k);
      len--;
      break;
    }
  }
  recurse(tree, x, rowOff, phi, pool, hot, lvl + 1, len, (iz * tree.cover[hot]) / c, io, f);
  recurse(tree, x, rowOff, phi, pool, cold, lvl + 1, len, (iz * tree.cover[cold]) / c, 0, f);
}
