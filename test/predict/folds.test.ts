import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { MT19937 } from "../../src/models/gbdt/mt19937.js";
import { kFold, trainTestSplit } from "../../src/models/gbdt/folds.js";
import { DEBIAN_PYTHON, hasPythonModule, requireTool } from "../helpers/system.js";

describe("numpy/scikit-learn compatible folds", () => {
  it("matches recorded numpy and scikit-learn draws", () => {
    // numpy.random.RandomState(7).permutation(12); MT19937 reference output for seed 5489
    expect(Array.from(new MT19937(7).permutation(12))).toEqual([7, 10, 2, 5, 0, 1, 11, 8, 3, 6, 9, 4]);
    expect(new MT19937(5489).nextUint32()).toBe(3499211612);
    // KFold(3, shuffle=True, random_state=3).split(range(10)) test folds
    expect(kFold(10, 3, 3).map((s) => Array.from(s.test))).toEqual([[1, 2, 4, 5], [6, 7, 9], [0, 3, 8]]);
    // train_test_split(range(9), test_size=0.2, random_state=5)
    const t = trainTestSplit(9, 0.2, 5);
    expect(Array.from(t.train)).toEqual([8, 7, 1, 0, 5, 6, 3]);
    expect(Array.from(t.test)).toEqual([2, 4]);
  });

  it("folds partition the rows", () => {
    const folds = kFold(92, 3, 11);
    expect(folds.map((f) => f.test.length)).toEqual([31, 31, 30]);
    const all = folds.flatMap((f) => Array.from(f.test)).sort((a, b) => a - b);
    expect(all).toEqual([...Array(92).keys()]);
    for (const f of folds) expect(f.train.length + f.test.length).toBe(92);
  });

  it.skipIf(!requireTool("python3-sklearn", hasPythonModule("sklearn")))("equals scikit-learn for many seeds and sizes", () => {
    const cases = [
      [92, 0],
      [92, 17],
      [61, 42],
      [41, 3],
      [82, 49],
    ];
    const py = `
import json, sys
import numpy as np
from sklearn.model_selection import KFold, train_test_split
out = []
for n, seed in json.loads(sys.argv[1]):
    folds = [t.tolist() for _, t in KFold(3, shuffle=True, random_state=seed).split(np.zeros(n))]
    tr, te = train_test_split(np.arange(n), test_size=0.2, random_state=seed)
    out.append({"folds": folds, "train": tr.tolist(), "test": te.tolist()})
print(json.dumps(out))`;
    const ref = JSON.parse(execFileSync(DEBIAN_PYTHON, ["-c", py, JSON.stringify(cases)]).toString());
    cases.forEach(([n, seed], i) => {
      expect(kFold(n, 3, seed).map((s) => Array.from(s.test))).toEqual(ref[i].folds);
      const t = trainTestSplit(n, 0.2, seed);
      expect(Array.from(t.train)).toEqual(ref[i].train);
      expect(Array.from(t.test)).toEqual(ref[i].test);
    });
  });
});
