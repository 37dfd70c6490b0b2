/**
 * 64-bit n-gram keys from word hashes: a polynomial hash over the n words in each of two
 * independent 32-bit lanes, H = Σ w_j·B^(n-1-j) mod 2^32, so sliding the window one word costs
 * two multiplications per lane. With random 32-bit word hashes two different n-grams collide in
 * a lane with probability 2^-32, in both lanes 2^-64. The key (0, 0) marks an empty slot in the
 * hash table, so a computed (0, 0) is stored as (0, 1).
 */

export const BASE_A = 0x2545f491;
export const BASE_B = 0x9e3779b1 | 0;

/** B^k mod 2^32. */
export function power(base: number, k: number): number {
  let p = 1;
  for (let i = 0; i < k; i++) p = Math.imul(p, base);
  return p;
}

/** Key lanes of the k words starting at `i` (written to out[0], out[1]). */
export function kgramKey(a: Int32Array, b: Int32Array, i: number, k: number, out: Int32Array): void {
  let ha = 0;
  let hb = 0;
  for (let j = i; j < i + k; j++) {
    ha = (Math.imul(ha, BASE_A) + a[j]!) | 0;
    hb = (Math.imul(hb, BASE_B) + b[j]!) | 0;
  }
  if (ha === 0 && hb === 0) hb = 1;
  out[0] = ha;
  out[1] = hb;
}

/**
 * Calls `fn(i, keyA, keyB)` for every window of n words in a[0..count): rolling, no allocation.
 */
export function forEachNgram(a: Int32Array, b: Int32Array, count: number, n: number, fn: (i: number, ka: number, kb: number) => void): void {
  if (count < n || n < 1) return;
  const pa = power(BASE_A, n - 1);
  const pb = power(BASE_B, n - 1);
  let ha = 0;
  let hb = 0;
  for (let j = 0; j < n; j++) {
    ha = (Math.imul(ha, BASE_A) + a[j]!) | 0;
    hb = (Math.imul(hb, BASE_B) + b[j]!) | 0;
  }
  for (let i = 0; ; i++) {
    fn(i, ha, ha === 0 && hb === 0 ? 1 : hb);
    if (i + n >= count) return;
    ha = (Math.imul((ha - Math.imul(a[i]!, pa)) | 0, BASE_A) + a[i + n]!) | 0;
    hb = (Math.imul((hb - Math.imul(b[i]!, pb)) | 0, BASE_B) + b[i + n]!) | 0;
  }
}
