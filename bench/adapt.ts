/**
 * `npm run bench -- adapt [n] [dim] [threads]`: adapt similarity's numeric core — the median
 * bandwidth over all pairs, the unbiased Gaussian MMD² and the Fréchet distance — against
 * numpy/scipy (Debian python3-scipy: pdist median, cdist kernel matrices, pytorch-fid's
 * calculate_frechet_distance with scipy.linalg.sqrtm) on the same vectors in one run. n vectors
 * per side (default 2,000), dim 128 (the built-in lsa:128). Prints both times, the ratio and the
 * relative differences of the results.
 */
import { execFileSync } from "node:child_process";
import { concatRows, type VectorSet } from "../src/models/distance/vectors.js";
import { frechetDistance } from "../src/models/distance/frechet.js";
import { pairPasses } from "../src/pipelines/adapt/pairs-pool.js";
import { Rng } from "../src/models/stats/rng.js";

const n = Number(process.argv[2] ?? 2000);
const dim = Number(process.argv[3] ?? 128);
const threads = Number(process.argv[4] ?? 1);

function sample(count: number, seed: number, shift: number): VectorSet {
  const r = new Rng(seed);
  const data = new Float64Array(count * dim);
  for (let i = 0; i < data.length; i++) data[i] = r.uniform() * (1 + (i % dim) / dim) + shift;
  return { data, n: count, dim };
}

const x = sample(n, 1, 0.02);
const y = sample(n, 2, 0);
console.log(`adapt bench: ${n} + ${n} vectors of ${dim} dimensions; datatailor on ${threads} thread(s), numpy/scipy as Debian ships it`);

const t0 = performance.now();
const pooled = concatRows(x, y);
const { sigma, mmd } = await pairPasses(x, y, pooled, undefined, threads);
const t1 = performance.now();
const fr = frechetDistance(x, y);
const t2 = performance.now();

const PY = `
import sys, json, time
import numpy as np
from scipy import linalg
from scipy.spatial.distance import pdist, cdist
d = json.load(sys.stdin)
X = np.array(d["x"]).reshape(-1, d["dim"]); Y = np.array(d["y"]).reshape(-1, d["dim"])
t0 = time.perf_counter()
sigma = float(np.median(pdist(np.vstack([X, Y]))))
g = 1 / (2 * sigma * sigma)
m, n = len(X), len(Y)
Kxx = np.exp(-g * cdist(X, X, "sqeuclidean")); Kyy = np.exp(-g * cdist(Y, Y, "sqeuclidean")); Kxy = np.exp(-g * cdist(X, Y, "sqeuclidean"))
mmd2 = (Kxx.sum() - np.trace(Kxx)) / (m * (m - 1)) + (Kyy.sum() - np.trace(Kyy)) / (n * (n - 1)) - 2 * Kxy.mean()
t1 = time.perf_counter()
mu1, mu2 = X.mean(0), Y.mean(0); s1, s2 = np.cov(X, rowvar=False), np.cov(Y, rowvar=False)
covmean, _ = linalg.sqrtm(s1.dot(s2), disp=False)
covmean = covmean.real
diff = mu1 - mu2
fid = diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean)
t2 = time.perf_counter()
print(json.dumps({"sigma": sigma, "mmd2": float(mmd2), "fid": float(fid), "mmd_s": t1 - t0, "fid_s": t2 - t1}))
`;
const py = JSON.parse(execFileSync("/usr/bin/python3", ["-c", PY], { input: JSON.stringify({ x: Array.from(x.data), y: Array.from(y.data), dim }), encoding: "utf8", maxBuffer: 1 << 30 })) as {
  sigma: number;
  mmd2: number;
  fid: number;
  mmd_s: number;
  fid_s: number;
};
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const ours = { mmd: (t1 - t0) / 1000, fid: (t2 - t1) / 1000 };
console.log(`median bandwidth + MMD²: datatailor ${ours.mmd.toFixed(2)} s, numpy/scipy ${py.mmd_s.toFixed(2)} s (ratio ${(ours.mmd / py.mmd_s).toFixed(2)}); σ rel. diff ${rel(sigma, py.sigma).toExponential(1)}, MMD² ${mmd.mmd2.toExponential(6)} vs ${py.mmd2.toExponential(6)} (rel. diff ${rel(mmd.mmd2, py.mmd2).toExponential(1)})`);
console.log(`Fréchet: datatailor ${ours.fid.toFixed(2)} s, numpy/scipy ${py.fid_s.toFixed(2)} s (ratio ${(ours.fid / py.fid_s).toFixed(2)}); ${fr.frechet.toExponential(6)} vs ${py.fid.toExponential(6)} (rel. diff ${rel(fr.frechet, py.fid).toExponential(1)})`);
