/**
 * Cross-validation splits drawn exactly as scikit-learn draws them with a numpy seed, so the
 * published protocol (KFold(3, shuffle=True, random_state=seed), then train_test_split with
 * test_size=0.2 and the same seed) gives the same folds here.
 */
import { MT19937 } from "./mt19937.js";

export interface Split {
  train: Int32Array;
  test: Int32Array;
}

/** KFold(n_splits=k, shuffle=true, random_state=seed): the first n % k folds get one extra row. */
export function kFold(n: number, k: number, seed: number | null): Split[] {
  if (k < 2 || k > n) throw new Error(`cannot make ${k} folds of ${n} rows`);
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  if (seed !== null) new MT19937(seed).shuffle(idx);
  const out: Split[] = [];
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    const test = idx.slice(start, start + size);
    const inTest = new Uint8Array(n);
    for (const t of test) inTest[t] = 1;
    // scikit-learn returns train indices in ascending order
    const train = new Int32Array(n - size);
    let j = 0;
    for (let i = 0; i < n; i++) if (!inTest[i]) train[j++] = i;
    out.push({ train, test: test.slice().sort() });
    start += size;
  }
  return out;
}

/**
 * train_test_split(test_size=frac, random_state=seed) index positions, in the order
 * scikit-learn returns them (permutation order, not sorted).
 */
export function trainTestSplit(n: number, testFraction: number, seed: number): Split {
  const nTest = Math.ceil(testFraction * n);
  const nTrain = n - nTest;
  if (nTrain <= 0 || nTest <= 0) throw new Error(`cannot split ${n} rows with test fraction ${testFraction}`);
  const perm = new MT19937(seed).permutation(n);
  return { test: perm.slice(0, nTest), train: perm.slice(nTest, nTest + nTrain) };
}
