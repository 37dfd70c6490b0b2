/**
 * 64-bit n-gram keys as two 32-bit lanes (bit 0 of the low lane is always 0: tables keep a flag
 * there), built from the last word leftwards, the order in
 * which a query extends its match (like KenLM's probing model, which stores only hashes).
 * Results come back through KEY to avoid allocating per call.
 */
export const KEY = { hi: 0, lo: 0 };

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/** Key of the unigram `word`. */
export function keyStart(word: number): void {
  KEY.hi = fmix(Math.imul(word + 1, 0x27d4eb2f) ^ 0x165667b1);
  KEY.lo = fmix(Math.imul(word + 1, 0x9e3779b1) + 0x7f4a7c15) & ~1;
  if (KEY.hi === 0 && KEY.lo === 0) KEY.lo = 2;
}

/** Extends the key in KEY by one word on the left. */
export function keyExtend(word: number): void {
  const hi = KEY.hi;
  const lo = KEY.lo;
  let a = lo ^ Math.imul(word + 1, 0xcc9e2d51);
  a = (a << 15) | (a >>> 17);
  KEY.lo = fmix(Math.imul(a, 0x1b873593) + Math.imul(hi, 0x85ebca6b) + 0x6b43a9b5) & ~1;
  KEY.hi = fmix((hi ^ Math.imul(lo + word, 0xc2b2ae35)) + 0x27d4eb2f);
  if (KEY.hi === 0 && KEY.lo === 0) KEY.lo = 2;
}

/** keyStart into arrays at index k (for callers that keep a key per suffix length). */
export function keyStartAt(his: Int32Array, los: Int32Array, k: number, word: number): void {
  const h = fmix(Math.imul(word + 1, 0x27d4eb2f) ^ 0x165667b1);
  const l = fmix(Math.imul(word + 1, 0x9e3779b1) + 0x7f4a7c15) & ~1;
  his[k] = h;
  los[k] = h === 0 && l === 0 ? 2 : l;
}

/** keyExtend of the key at k + 1 by `word`, written at k. */
export function keyExtendAt(his: Int32Array, los: Int32Array, k: number, word: number): void {
  const hi = his[k + 1];
  const lo = los[k + 1];
  let a = lo ^ Math.imul(word + 1, 0xcc9e2d51);
  a = (a << 15) | (a >>> 17);
  let nlo = fmix(Math.imul(a, 0x1b873593) + Math.imul(hi, 0x85ebca6b) + 0x6b43a9b5) & ~1;
  const nhi = fmix((hi ^ Math.imul(lo + word, 0xc2b2ae35)) + 0x27d4eb2f);
  if (nhi === 0 && nlo === 0) nlo = 2;
  his[k] = nhi;
  los[k] = nlo;
}
