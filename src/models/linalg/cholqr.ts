/**
 * Orthonormalising the columns of a tall matrix
 * (rows × l, row-major float64) by Cholesky QR, applied twice for stability. Columns that are
 * numerically dependent on earlier ones become zero instead of failing.
 */

/** Orthonormalises the columns of `y` (rows × l) in place. Returns the number of live columns. */
export function orthonormaliseColumns(y: Float64Array, rows: number, l: number, passes = 2): number {
  let live = l;
  for (let pass = 0; pass < passes; pass++) live = cholQrPass(y, rows, l);
  return live;
}

function cholQrPass(y: Float64Array, rows: number, l: number): number {
  // G = Yᵀ Y (l × l)
  const g = new Float64Array(l * l);
  for (let r = 0; r < rows; r++) {
    const o = r * l;
    for (let i = 0; i < l; i++) {
      const yi = y[o + i]!;
      if (yi === 0) continue;
      const gi = i * l;
      for (let j = i; j < l; j++) g[gi + j]! += yi * y[o + j]!;
    }
  }
  let maxDiag = 0;
  for (let i = 0; i < l; i++) maxDiag = Math.max(maxDiag, g[i * l + i]!);
  const tol = maxDiag * 1e-12;
  // upper-triangular R with RᵀR = G; dead columns get a zero row
  const R = new Float64Array(l * l);
  const dead = new Uint8Array(l);
  let live = 0;
  for (let i = 0; i < l; i++) {
    let d = g[i * l + i]!;
    for (let k = 0; k < i; k++) d -= R[k * l + i]! * R[k * l + i]!;
    if (!(d > tol)) {
      dead[i] = 1;
      continue;
    }
    live++;
    const rii = Math.sqrt(d);
    R[i * l + i] = rii;
    for (let j = i + 1; j < l; j++) {
      let s = g[i * l + j]!;
      for (let k = 0; k < i; k++) s -= R[k * l + i]! * R[k * l + j]!;
      R[i * l + j] = s / rii;
    }
  }
  // R⁻¹ (upper triangular), dead rows/columns zero; then Q = Y R⁻¹ row by row, contiguous in R⁻¹'s rows
  const Ri = new Float64Array(l * l);
  for (let j = 0; j < l; j++) {
    if (dead[j]) continue;
    Ri[j * l + j] = 1 / R[j * l + j]!;
    for (let i = j - 1; i >= 0; i--) {
      if (dead[i]) continue;
      let s = 0;
      for (let k = i + 1; k <= j; k++) s += R[i * l + k]! * Ri[k * l + j]!;
      Ri[i * l + j] = -s / R[i * l + i]!;
    }
  }
  const q = new Float64Array(l);
  for (let r = 0; r < rows; r++) {
    const o = r * l;
    q.fill(0);
    for (let k = 0; k < l; k++) {
      const yk = y[o + k]!;
      if (yk === 0) continue;
      const rk = k * l;
      for (let j = k; j < l; j++) q[j]! += yk * Ri[rk + j]!;
    }
    for (let j = 0; j < l; j++) y[o + j] = q[j]!;
  }
  return live;
}
