/**
 * Cosine rows for a group of target examples against every doc: rows[g·n + d] = t_(e0+g) · doc_d.
 * Vectors are L2-normalised, so the dot product is the cosine. Each dot product is summed in
 * float64 in k order 0..dim-1 and rounded to float32 once, so the value never depends on how
 * the work is blocked or split between workers (brute force gives the same bits).
 */

/** Docs per tile: a tile of 256-dim float32 docs (256 KiB) stays in L2 while a group of examples sweeps it. */
const DOC_TILE = 256;

export function cosineRows(
  targets: Float32Array,
  e0: number,
  g: number,
  docs: Float32Array,
  n: number,
  dim: number,
  rows: Float32Array,
): void {
  for (let d0 = 0; d0 < n; d0 += DOC_TILE) {
    const d1 = Math.min(n, d0 + DOC_TILE);
    let e = 0;
    // 4 examples × 2 docs per step: 8 accumulators, 6 loads per k
    for (; e + 4 <= g; e += 4) {
      const t0 = (e0 + e) * dim;
      const t1 = t0 + dim;
      const t2 = t1 + dim;
      const t3 = t2 + dim;
      const r0 = e * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      let d = d0;
      for (; d + 2 <= d1; d += 2) {
        const a = d * dim;
        const b = a + dim;
        let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
        for (let k = 0; k < dim; k++) {
          const x = docs[a + k]!;
          const y = docs[b + k]!;
          const w0 = targets[t0 + k]!;
          const w1 = targets[t1 + k]!;
          const w2 = targets[t2 + k]!;
          const w3 = targets[t3 + k]!;
          s00 += w0 * x; s01 += w0 * y;
          s10 += w1 * x; s11 += w1 * y;
          s20 += w2 * x; s21 += w2 * y;
          s30 += w3 * x; s31 += w3 * y;
        }
        rows[r0 + d] = s00; rows[r0 + d + 1] = s01;
        rows[r1 + d] = s10; rows[r1 + d + 1] = s11;
        rows[r2 + d] = s20; rows[r2 + d + 1] = s21;
        rows[r3 + d] = s30; rows[r3 + d + 1] = s31;
      }
      for (; d < d1; d++) {
        const a = d * dim;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let k = 0; k < dim; k++) {
          const x = docs[a + k]!;
          s0 += targets[t0 + k]! * x;
          s1 += targets[t1 + k]! * x;
          s2 += targets[t2 + k]! * x;
          s3 += targets[t3 + k]! * x;
        }
        rows[r0 + d] = s0; rows[r1 + d] = s1; rows[r2 + d] = s2; rows[r3 + d] = s3;
      }
    }
    for (; e < g; e++) {
      const t = (e0 + e) * dim;
      const r = e * n;
      for (let d = d0; d < d1; d++) {
        const a = d * dim;
        let s = 0;
        for (let k = 0; k < dim; k++) s += targets[t + k]! * docs[a + k]!;
        rows[r + d] = s;
      }
    }
  }
}
