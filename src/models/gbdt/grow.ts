/**
 * Grows one regression tree on gradient/hessian pairs with histogram split search.
 *
 * The search reproduces xgboost's greedy enumeration (updater_colmaker) so that, on data with
 * few distinct values per feature, the trees are the same as xgboost's default `exact` method:
 *  - a forward scan (missing values default right) runs only for columns that have missing
 *    values and more than one distinct value; a backward scan (missing default left) always;
 *  - a candidate is considered only where the node's value changes, with both sides holding at
 *    least `minChildWeight` hessian; its threshold is the float32 midpoint of the two values;
 *  - after the scan, "all present values on one side, missing on the other" is a candidate too;
 *  - gains are compared in float32, ties go to the earlier candidate of a feature and to the
 *    lower feature index;
 *  - a node splits when the best gain exceeds 1e-6; gamma prunes afterwards, bottom-up.
 */
import { MISSING_BIN, type BinnedMatrix } from "./binning.js";
import { TreeBuilder, type Tree } from "./tree.js";

export interface GrowParams {
  maxDepth: number;
  /** L2 regularisation on leaf weights */
  lambda: number;
  /** L1 regularisation on leaf weights */
  alpha: number;
  /** minimum loss reduction to keep a split (post-pruning) */
  gamma: number;
  minChildWeight: number;
  /** shrinkage applied to leaf weights */
  learningRate: number;
}

const RT_EPS = 1e-6;
const f32 = Math.fround;

function thresholdL1(g: number, alpha: number): number {
  if (g > alpha) return g - alpha;
  if (g < -alpha) return g + alpha;
  return 0;
}

interface Split {
  gain: number;
  feature: number;
  threshold: number;
  defaultLeft: boolean;
  leftG: number;
  leftH: number;
}

/** Reusable scratch space for growing many trees on the same binned matrix. */
export class TreeGrower {
  private readonly histG: Float64Array;
  private readonly histH: Float64Array;
  private readonly histN: Int32Array;
  private readonly touched: Uint16Array;
  private readonly rows: Uint32Array;
  private readonly scratch: Uint32Array;
  private readonly nodeG: number[] = [];
  private readonly nodeH: number[] = [];
  /** leaf node reached by each training row in the last grown tree */
  readonly position: Int32Array;

  constructor(
    private readonly data: BinnedMatrix,
    private readonly params: GrowParams,
  ) {
    let maxBins = 1;
    for (const f of data.features) maxBins = Math.max(maxBins, f.lo.length);
    this.histG = new Float64Array(maxBins);
    this.histH = new Float64Array(maxBins);
    this.histN = new Int32Array(maxBins);
    this.touched = new Uint16Array(maxBins);
    this.rows = new Uint32Array(data.nRows);
    this.scratch = new Uint32Array(data.nRows);
    this.position = new Int32Array(data.nRows);
  }

  private gainOf(g: number, h: number): number {
    const p = this.params;
    if (h < p.minChildWeight) return 0;
    const t = thresholdL1(g, p.alpha);
    return (t * t) / (h + p.lambda);
  }

  private weightOf(g: number, h: number): number {
    const p = this.params;
    if (h < p.minChildWeight || h <= 0) return 0;
    return -thresholdL1(g, p.alpha) / (h + p.lambda);
  }

  /** grad/hess are float32 per training row; returns the tree with leaf values scaled by eta. */
  grow(grad: Float32Array, hess: Float32Array): Tree {
    const n = this.data.nRows;
    for (let i = 0; i < n; i++) this.rows[i] = i;
    const builder = new TreeBuilder();
    let G = 0;
    let H = 0;
    for (let i = 0; i < n; i++) {
      G += grad[i];
      H += hess[i];
    }
    this.nodeG.length = 0;
    this.nodeH.length = 0;
    const root = builder.addNode(H);
    this.growNode(builder, root, 0, n, 0, G, H, grad, hess);
    const tree = builder.finish();
    if (this.params.gamma > 0) this.prune(tree, 0);
    return tree;
  }

  private growNode(b: TreeBuilder, node: number, start: number, end: number, depth: number, G: number, H: number, grad: Float32Array, hess: Float32Array): void {
    const p = this.params;
    const weight = f32(this.weightOf(G, H));
    this.nodeG[node] = G;
    this.nodeH[node] = H;
    const split = depth < p.maxDepth ? this.bestSplit(start, end, G, H, grad, hess) : null;
    if (!split || !(split.gain > RT_EPS)) {
      b.setLeaf(node, f32(weight * f32(p.learningRate)));
      for (let k = start; k < end; k++) this.position[this.rows[k]] = node;
      return;
    }
    // partition rows[start, end) into left then right, keeping order
    const { codes, nRows } = this.data;
    const feat = this.data.features[split.feature];
    const off = split.feature * nRows;
    let nl = 0;
    let nr = 0;
    for (let k = start; k < end; k++) {
      const r = this.rows[k];
      const c = codes[off + r];
      const goLeft = c === MISSING_BIN ? split.defaultLeft : feat.hi[c] < split.threshold;
      if (goLeft) this.rows[start + nl++] = r;
      else this.scratch[nr++] = r;
    }
    for (let k = 0; k < nr; k++) this.rows[start + nl + k] = this.scratch[k];
    const rightG = G - split.leftG;
    const rightH = H - split.leftH;
    const l = b.addNode(split.leftH);
    const r = b.addNode(rightH);
    b.setSplit(node, split.feature, split.threshold, split.defaultLeft, split.gain, l, r);
    this.growNode(b, l, start, start + nl, depth + 1, split.leftG, split.leftH, grad, hess);
    this.growNode(b, r, start + nl, end, depth + 1, rightG, rightH, grad, hess);
  }

  /** Bottom-up: a split whose children are leaves and whose gain is below gamma becomes a leaf. */
  private prune(tree: Tree, n: number): void {
    if (tree.left[n] === -1) return;
    this.prune(tree, tree.left[n]);
    this.prune(tree, tree.right[n]);
    const l = tree.left[n];
    const r = tree.right[n];
    if (tree.left[l] === -1 && tree.left[r] === -1 && tree.gain[n] < this.params.gamma) {
      for (let i = 0; i < this.position.length; i++) if (this.position[i] === l || this.position[i] === r) this.position[i] = n;
      tree.left[n] = -1;
      tree.right[n] = -1;
      tree.feature[n] = -1;
      tree.gain[n] = 0;
      tree.value[n] = f32(f32(this.weightOf(this.nodeG[n], this.nodeH[n])) * f32(this.params.learningRate));
    }
  }

  // best candidate of the node being searched (fields, not objects: this runs per node per feature)
  private bGain = 0;
  private bFeature = -1;
  private bThreshold = 0;
  private bDefaultLeft = false;
  private bLeftG = 0;
  private bLeftH = 0;

  /** xgboost SplitEntry::NeedReplace: ties favour the lower feature index, and within a feature the first candidate. */
  private consider(gain: number, feature: number, threshold: number, defaultLeft: boolean, lg: number, lh: number): void {
    if (!Number.isFinite(gain)) return;
    if (this.bFeature >= 0 && (this.bFeature <= feature ? !(gain > this.bGain) : this.bGain > gain)) return;
    this.bGain = gain;
    this.bFeature = feature;
    this.bThreshold = threshold;
    this.bDefaultLeft = defaultLeft;
    this.bLeftG = lg;
    this.bLeftH = lh;
  }

  private lossChg(lg: number, lh: number, rg: number, rh: number, rootGain: number): number {
    return f32(f32(f32(this.gainOf(lg, lh)) + f32(this.gainOf(rg, rh))) - rootGain);
  }

  private bestSplit(start: number, end: number, G: number, H: number, grad: Float32Array, hess: Float32Array): Split | null {
    const { codes, nRows, features } = this.data;
    const mcw = this.params.minChildWeight;
    const rootGain = f32(this.gainOf(G, H));
    const { histG, histH, histN, touched } = this;
    this.bFeature = -1;
    // both children need minChildWeight of hessian: small nodes cannot split
    if (!(H >= 2 * mcw)) return null;
    for (let f = 0; f < features.length; f++) {
      const fb = features[f];
      if (fb.lo.length === 0) continue;
      // histogram over the bins this node touches; a sorted list of them replaces a scan of all
      // bins, since nodes hold far fewer rows than a column has values
      const off = f * nRows;
      let nt = 0;
      for (let k = start; k < end; k++) {
        const r = this.rows[k];
        const c = codes[off + r];
        if (c === MISSING_BIN) continue;
        if (histN[c] === 0) {
          // insertion into the sorted touched list
          let p = nt++;
          while (p > 0 && touched[p - 1] > c) {
            touched[p] = touched[p - 1];
            p--;
          }
          touched[p] = c;
        }
        histG[c] += grad[r];
        histH[c] += hess[r];
        histN[c]++;
      }
      if (nt === 0) continue;
      if (fb.density < 1 && !fb.constant) {
        // forward: accumulate from the smallest value; missing goes right
        let eg = 0;
        let eh = 0;
        let last = -1;
        for (let t = 0; t < nt; t++) {
          const bin = touched[t];
          if (last >= 0 && eh >= mcw) {
            const ch = H - eh;
            if (ch >= mcw) this.consider(this.lossChg(eg, eh, G - eg, ch, rootGain), f, f32(f32(fb.lo[bin] + fb.hi[last]) * 0.5), false, eg, eh);
          }
          eg += histG[bin];
          eh += histH[bin];
          last = bin;
        }
        const ch = H - eh;
        if (eh >= mcw && ch >= mcw) {
          const lastV = fb.hi[last];
          this.consider(this.lossChg(eg, eh, G - eg, ch, rootGain), f, f32(lastV + f32(Math.abs(lastV) + RT_EPS)), false, eg, eh);
        }
      }
      {
        // backward: accumulate from the largest value; missing goes left
        let eg = 0;
        let eh = 0;
        let last = -1;
        for (let t = nt - 1; t >= 0; t--) {
          const bin = touched[t];
          if (last >= 0 && eh >= mcw) {
            const ch = H - eh;
            if (ch >= mcw) this.consider(this.lossChg(G - eg, ch, eg, eh, rootGain), f, f32(f32(fb.hi[bin] + fb.lo[last]) * 0.5), true, G - eg, ch);
          }
          eg += histG[bin];
          eh += histH[bin];
          last = bin;
        }
        const ch = H - eh;
        if (eh >= mcw && ch >= mcw) {
          const lastV = fb.lo[last];
          this.consider(this.lossChg(G - eg, ch, eg, eh, rootGain), f, f32(lastV - f32(Math.abs(lastV) + RT_EPS)), true, G - eg, ch);
        }
      }
      for (let t = 0; t < nt; t++) {
        const bin = touched[t];
        histG[bin] = 0;
        histH[bin] = 0;
        histN[bin] = 0;
      }
    }
    if (this.bFeature < 0) return null;
    return { gain: this.bGain, feature: this.bFeature, threshold: this.bThreshold, defaultLeft: this.bDefaultLeft, leftG: this.bLeftG, leftH: this.bLeftH };
  }
}
