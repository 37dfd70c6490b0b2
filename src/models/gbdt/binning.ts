/**
 * Feature binning for histogram split finding. Each feature's present (non-NaN) values are
 * grouped into at most `maxBins` bins; when a feature has no more distinct values than that
 * (always the case for model databases of a few hundred rows) every distinct value is its own
 * bin, and histogram search enumerates exactly the candidate splits of xgboost's `exact`
 * method. Larger columns fall back to weighted-quantile bins like xgboost's `hist`.
 *
 * Values are float32 (as xgboost stores them) so thresholds compare the same way.
 */

export const MISSING_BIN = 0xffff;

export interface FeatureBins {
  /** lo[b], hi[b]: smallest and largest training value in bin b (equal for one-value bins). */
  lo: Float32Array;
  hi: Float32Array;
  /** fraction of training rows where the feature is present (xgboost's column density). */
  density: number;
  /** all present values equal (xgboost's "indicator" column: no forward search). */
  constant: boolean;
}

export interface BinnedMatrix {
  nRows: number;
  nFeatures: number;
  /** column-major bin codes: codes[f * nRows + i]; MISSING_BIN for NaN. */
  codes: Uint16Array;
  features: FeatureBins[];
}

/** X is row-major float32 with NaN for missing. */
export function binMatrix(X: Float32Array, nRows: number, nFeatures: number, maxBins = 256): BinnedMatrix {
  if (maxBins < 2 || maxBins >= MISSING_BIN) throw new Error(`maxBins must be in [2, ${MISSING_BIN - 1}]`);
  const codes = new Uint16Array(nRows * nFeatures);
  const features: FeatureBins[] = [];
  const col = new Float32Array(nRows);
  for (let f = 0; f < nFeatures; f++) {
    let n = 0;
    for (let i = 0; i < nRows; i++) {
      const v = X[i * nFeatures + f];
      if (!Number.isNaN(v)) col[n++] = v;
    }
    const present = col.subarray(0, n).slice().sort();
    // distinct values and their counts
    const uniq: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i === 0 || present[i] !== present[i - 1]) {
        uniq.push(present[i]);
        counts.push(1);
      } else counts[counts.length - 1]++;
    }
    let lo: Float32Array;
    let hi: Float32Array;
    if (uniq.length <= maxBins) {
      lo = Float32Array.from(uniq);
      hi = lo;
    } else {
      // weighted quantile bins: close a bin once it holds ~n/maxBins rows
      const los: number[] = [];
      const his: number[] = [];
      const target = n / maxBins;
      let acc = 0;
      let start = 0;
      for (let u = 0; u < uniq.length; u++) {
        acc += counts[u];
        const binsLeft = maxBins - los.length;
        const valuesLeft = uniq.length - u - 1;
        if (acc >= target * (los.length + 1) || valuesLeft < binsLeft || u === uniq.length - 1) {
          los.push(uniq[start]);
          his.push(uniq[u]);
          start = u + 1;
          if (los.length === maxBins - 1 && u < uniq.length - 1) {
            los.push(uniq[start]);
            his.push(uniq[uniq.length - 1]);
            break;
          }
        }
      }
      lo = Float32Array.from(los);
      hi = Float32Array.from(his);
    }
    for (let i = 0; i < nRows; i++) {
      const v = X[i * nFeatures + f];
      codes[f * nRows + i] = Number.isNaN(v) ? MISSING_BIN : findBin(hi, v);
    }
    features.push({ lo, hi, density: nRows === 0 ? 0 : n / nRows, constant: n > 0 && uniq.length === 1 });
  }
  return { nRows, nFeatures, codes, features };
}

/** First bin whose upper value is >= v (values above every bin land in the last one). */
function findBin(hi: Float32Array, v: number): number {
  let a = 0;
  let b = hi.length - 1;
  while (a < b) {
    const m = (a + b) >> 1;
    if (hi[m] >= v) b = m;
    else a = m + 1;
  }
  return a;
}
