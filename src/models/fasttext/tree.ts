/**
 * The Huffman tree of the hierarchical softmax, built from label counts exactly as fastText
 * does (two-queue merge over counts sorted by decreasing frequency), so the inner-node rows
 * of a loaded model line up with fastText's.
 */
export interface HsTree {
  osz: number;
  left: Int32Array;
  right: Int32Array;
  /** For each label: inner nodes (row index in the output matrix) from leaf to root. */
  pathStart: Int32Array;
  paths: Int32Array;
  codes: Uint8Array;
}

export function buildHsTree(counts: ArrayLike<number>): HsTree {
  const osz = counts.length;
  const n = Math.max(1, 2 * osz - 1);
  const parent = new Int32Array(n).fill(-1);
  const left = new Int32Array(n).fill(-1);
  const right = new Int32Array(n).fill(-1);
  const count = new Float64Array(n).fill(1e15);
  const binary = new Uint8Array(n);
  for (let i = 0; i < osz; i++) count[i] = counts[i];
  let leaf = osz - 1;
  let node = osz;
  for (let i = osz; i < 2 * osz - 1; i++) {
    const mini = [0, 0];
    for (let j = 0; j < 2; j++) {
      if (leaf >= 0 && count[leaf] < count[node]) mini[j] = leaf--;
      else mini[j] = node++;
    }
    left[i] = mini[0];
    right[i] = mini[1];
    count[i] = count[mini[0]] + count[mini[1]];
    parent[mini[0]] = i;
    parent[mini[1]] = i;
    binary[mini[1]] = 1;
  }
  const pathStart = new Int32Array(osz + 1);
  const paths: number[] = [];
  const codes: number[] = [];
  for (let i = 0; i < osz; i++) {
    pathStart[i] = paths.length;
    let j = i;
    while (parent[j] !== -1) {
      paths.push(parent[j] - osz);
      codes.push(binary[j]);
      j = parent[j];
    }
  }
  pathStart[osz] = paths.length;
  return { osz, left, right, pathStart, paths: Int32Array.from(paths), codes: Uint8Array.from(codes) };
}

/** The negative-sampling table: label i appears ~ sqrt(count_i) / sum sqrt(count) * 1e7 times. */
export const NEGATIVE_TABLE_SIZE = 10000000;
export function buildNegatives(counts: ArrayLike<number>): Int32Array {
  let z = 0;
  for (let i = 0; i < counts.length; i++) z += Math.fround(Math.sqrt(counts[i]));
  z = Math.fround(z);
  const out: number[] = [];
  for (let i = 0; i < counts.length; i++) {
    const c = Math.fround(Math.sqrt(counts[i]));
    const lim = (c * NEGATIVE_TABLE_SIZE) / z;
    for (let j = 0; j < lim; j++) out.push(i);
  }
  return Int32Array.from(out);
}
