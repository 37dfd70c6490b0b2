/**
 * MMD² and Fréchet parity with numpy/scipy (Debian python3-scipy) on the same vectors: the
 * reference side computes the unbiased MMD² from scipy's pdist/cdist with numpy's median as the
 * bandwidth, and the Fréchet distance with pytorch-fid's own code (np.cov, scipy.linalg.sqrtm,
 * the real part of the trace; its eps·I offset in the n ≤ d case).
 */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { DEBIAN_PYTHON, hasPythonModule, requireTool } from "../helpers/system.js";
import { gaussianMmd2 } from "../../src/models/distance/mmd.js";
import { medianPairwiseDistance } from "../../src/models/distance/bandwidth.js";
import { frechetDistance, FRECHET_EPS } from "../../src/models/distance/frechet.js";
import { nearestNeighbourCoverage } from "../../src/models/distance/coverage.js";
import { concatRows, type VectorSet } from "../../src/models/distance/vectors.js";
import { Rng } from "../../src/models/stats/rng.js";

const PY = `
import json, sys
import numpy as np
from scipy import linalg
from scipy.spatial.distance import pdist, cdist
d = json.load(sys.stdin)
X = np.array(d["x"], dtype=np.float64); Y = np.array(d["y"], dtype=np.float64)
P = np.vstack([X, Y])
sigma = float(np.median(pdist(P))) if d.get("bandwidth") is None else d["bandwidth"]
g = 1.0 / (2 * sigma * sigma)
Kxx = np.exp(-g * cdist(X, X, "sqeuclidean")); Kyy = np.exp(-g * cdist(Y, Y, "sqeuclidean")); Kxy = np.exp(-g * cdist(X, Y, "sqeuclidean"))
m, n = len(X), len(Y)
mmd2 = (Kxx.sum() - np.trace(Kxx)) / (m * (m - 1)) + (Kyy.sum() - np.trace(Kyy)) / (n * (n - 1)) - 2 * Kxy.mean()
# coverage: domain docs nearer to the reference than the reference's own median NN distance
Dyy = cdist(Y, Y); np.fill_diagonal(Dyy, np.inf)
radius = float(np.median(Dyy.min(1)))
coverage = float((cdist(X, Y).min(1) < radius).mean())
# pytorch-fid calculate_frechet_distance
mu1, mu2 = X.mean(0), Y.mean(0)
s1, s2 = np.cov(X, rowvar=False), np.cov(Y, rowvar=False)
eps = d["eps"]
if eps > 0:
    off = np.eye(s1.shape[0]) * eps
    s1 = s1 + off; s2 = s2 + off
covmean, _ = linalg.sqrtm(s1.dot(s2), disp=False)
if np.iscomplexobj(covmean): covmean = covmean.real
diff = mu1 - mu2
fid = diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean)
print(json.dumps({"sigma": sigma, "mmd2": float(mmd2), "fid": float(fid), "coverage": coverage, "radius": radius}))
`;

function gaussianSample(n: number, dim: number, seed: number, shift = 0, scale = 1): VectorSet {
  const rng = new Rng(seed);
  const data = new Float64Array(n * dim);
  for (let i = 0; i < data.length; i++) {
    // Box–Muller
    const u = Math.max(rng.uniform(), 1e-300);
    const v = rng.uniform();
    data[i] = shift + scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v) * (1 + (i % dim) / dim);
  }
  return { data, n, dim };
}

function rows(s: VectorSet): number[][] {
  return Array.from({ length: s.n }, (_, i) => Array.from(s.data.subarray(i * s.dim, (i + 1) * s.dim)));
}

function scipy(x: VectorSet, y: VectorSet, eps: number, bandwidth?: number) {
  return JSON.parse(execFileSync(DEBIAN_PYTHON, ["-c", PY], { input: JSON.stringify({ x: rows(x), y: rows(y), eps, bandwidth: bandwidth ?? null }), encoding: "utf8", maxBuffer: 1 << 28 })) as {
    sigma: number;
    mmd2: number;
    fid: number;
    coverage: number;
    radius: number;
  };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe("distances: parity with numpy/scipy", () => {
  const present = requireTool("python3-scipy", hasPythonModule("scipy"));
  const cases = [
    { name: "shifted Gaussians, n > d", x: gaussianSample(120, 16, 1, 0.3), y: gaussianSample(200, 16, 2) },
    { name: "same distribution (MMD² near 0, can be negative)", x: gaussianSample(90, 8, 3), y: gaussianSample(110, 8, 4) },
    { name: "odd number of pairs, different scales", x: gaussianSample(31, 5, 5, 0, 2), y: gaussianSample(40, 5, 6) },
  ];
  for (const c of cases) {
    it.skipIf(!present)(`${c.name}: MMD² to 1e-6, Fréchet to 1e-4 relative`, () => {
      const py = scipy(c.x, c.y, 0);
      const sigma = medianPairwiseDistance(concatRows(c.x, c.y));
      expect(rel(sigma, py.sigma)).toBeLessThan(1e-12);
      // the two-pass selection used for large pools gives the very same number
      expect(medianPairwiseDistance(concatRows(c.x, c.y), { maxStoredPairs: 0 })).toBe(sigma);
      const m = gaussianMmd2(c.x, c.y, sigma);
      expect(rel(m.mmd2, py.mmd2)).toBeLessThan(1e-6);
      const f = frechetDistance(c.x, c.y);
      expect(f.regulariser).toBe(0);
      expect(rel(f.frechet, py.fid)).toBeLessThan(1e-4);
      const cov = nearestNeighbourCoverage(m.nnDomainToReference, m.nnReferenceToReference);
      expect(cov.coverage).toBe(py.coverage);
      expect(rel(cov.radius, py.radius)).toBeLessThan(1e-12);
    });
  }

  it.skipIf(!present)("a given bandwidth is used as is", () => {
    const x = gaussianSample(50, 6, 7, 0.5);
    const y = gaussianSample(60, 6, 8);
    const py = scipy(x, y, 0, 0.75);
    expect(rel(gaussianMmd2(x, y, 0.75).mmd2, py.mmd2)).toBeLessThan(1e-6);
  });

  it.skipIf(!present)("singular covariances (n < d): the stated eps·I offset, as pytorch-fid's fallback", () => {
    const x = gaussianSample(20, 40, 9, 0.2);
    const y = gaussianSample(25, 40, 10);
    const f = frechetDistance(x, y);
    expect(f.regulariser).toBe(FRECHET_EPS);
    const py = scipy(x, y, FRECHET_EPS);
    expect(rel(f.frechet, py.fid)).toBeLessThan(1e-4);
  });
});
