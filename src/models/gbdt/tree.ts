/**
 * A regression tree in flat arrays. Node 0 is the root; a leaf has left = -1. A row goes left
 * when its value is below the threshold, and to the default side when the value is missing
 * (NaN), as in xgboost. `cover` is the sum of hessians that reached the node in training
 * (the row count for squared error), which TreeSHAP weighs paths by.
 */
export interface Tree {
  feature: Int32Array;
  threshold: Float32Array;
  left: Int32Array;
  right: Int32Array;
  defaultLeft: Uint8Array;
  /** leaf output (already multiplied by the learning rate); unused on internal nodes */
  value: Float64Array;
  cover: Float64Array;
  /** loss reduction of the split (0 on leaves) */
  gain: Float64Array;
}

/** Grows a tree node by node; `finish()` packs it into typed arrays. */
export class TreeBuilder {
  private feature: number[] = [];
  private threshold: number[] = [];
  private left: number[] = [];
  private right: number[] = [];
  private defaultLeft: number[] = [];
  private value: number[] = [];
  private cover: number[] = [];
  private gain: number[] = [];

  addNode(cover: number): number {
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.defaultLeft.push(0);
    this.value.push(0);
    this.cover.push(cover);
    this.gain.push(0);
    return this.feature.length - 1;
  }

  setLeaf(node: number, value: number): void {
    this.value[node] = value;
    this.left[node] = -1;
    this.right[node] = -1;
  }

  setSplit(node: number, feature: number, threshold: number, defaultLeft: boolean, gain: number, left: number, right: number): void {
    this.feature[node] = feature;
    this.threshold[node] = threshold;
    this.defaultLeft[node] = defaultLeft ? 1 : 0;
    this.gain[node] = gain;
    this.left[node] = left;
    this.right[node] = right;
  }

  finish(): Tree {
    return {
      feature: Int32Array.from(this.feature),
      threshold: Float32Array.from(this.threshold),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      defaultLeft: Uint8Array.from(this.defaultLeft),
      value: Float64Array.from(this.value),
      cover: Float64Array.from(this.cover),
      gain: Float64Array.from(this.gain),
    };
  }
}

/** Leaf index reached by row `row` of the row-major matrix X (nFeatures columns). */
export function leafIndex(tree: Tree, X: ArrayLike<number>, row: number, nFeatures: number): number {
  let node = 0;
  const base = row * nFeatures;
  while (tree.left[node] !== -1) {
    const v = X[base + tree.feature[node]];
    if (Number.isNaN(v)) node = tree.defaultLeft[node] ? tree.left[node] : tree.right[node];
    else node = v < tree.threshold[node] ? tree.left[node] : tree.right[node];
  }
  return node;
}
