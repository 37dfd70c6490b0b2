/** Median (mean of the two middle values for even counts, as numpy/pandas). */
export function median(values: ArrayLike<number>): number {
  const a = Float64Array.from(values as ArrayLike<number>).sort();
  const n = a.length;
  if (n === 0) return NaN;
  return n % 2 ? a[(n - 1) / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
}

/** Leave-one-out absolute errors of predicting each value by the median of the others. */
export function medianLooAbsErrors(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  const rest = new Float64Array(n - 1);
  for (let i = 0; i < n; i++) {
    let k = 0;
    for (let j = 0; j < n; j++) if (j !== i) rest[k++] = values[j];
    out[i] = Math.abs(values[i] - median(rest));
  }
  return out;
}
