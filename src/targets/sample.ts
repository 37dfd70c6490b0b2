/**
 * Seeded, order-independent choice of k items out of n: every item gets a 32-bit key from
 * (seed, salt, index) and the k smallest keys win. The same seed picks the same rows whatever
 * else is loaded, and the result does not depend on any PRNG stream position.
 */
import { fmix32 } from "../text/hash.js";

export function stringSalt(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Returns the chosen indices in increasing order. */
export function chooseIndices(n: number, k: number, seed: number, salt: number): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  const s = fmix32((seed >>> 0) ^ fmix32(salt));
  const keys = new Float64Array(n);
  // key·2^21 + index keeps keys unique (n < 2^21 rows per benchmark file is plenty)
  for (let i = 0; i < n; i++) keys[i] = fmix32(s ^ fmix32(i + 0x9e3779b9)) * 2097152 + i;
  const sorted = keys.slice().sort();
  const chosen = sorted.subarray(0, k);
  const out = Array.from(chosen, (key) => key % 2097152);
  return out.sort((a, b) => a - b);
}
