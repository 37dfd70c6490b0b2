/**
 * fastText's hashing: FNV-1a 32-bit over bytes sign-extended as int8, and the 64-bit word
 * n-gram combination h = h * 116049371 + hash_j (mod 2^64) reduced modulo the bucket count.
 * 64-bit arithmetic is done on two uint32 halves to stay allocation-free (no BigInt).
 */
export function fnv1a(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = 2166136261;
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    h ^= b >= 128 ? b | 0xffffff00 : b;
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

const NGRAM_MUL = 116049371;
const TWO32 = 4294967296;

/** (a * b) mod m for a, b < m < 2^31 without losing precision. */
export function mulmod(a: number, b: number, m: number): number {
  const bh = Math.floor(b / 65536);
  const bl = b % 65536;
  return ((((a * bh) % m) * 65536) + a * bl) % m;
}

/** (2^32 mod m, 2^64 mod m) for a bucket count m < 2^26. */
function powMods(m: number): { p32: number; p64: number } {
  const p32 = TWO32 % m;
  const q = p32 * p32; // < 2^52: exact
  return { p32, p64: q - Math.floor(q / m) * m };
}
let cachedBucket = -1;
let cachedP64 = 0;
let cachedMulMod = 0;

/** Buckets below this use the bigram fast path (every product stays below 2^53). */
export const FAST_BIGRAM_BUCKETS = 67108864;

/**
 * The bigram id fastText computes for word hashes a, b (int32): the uint64 value
 * sext(a) * 116049371 + sext(b) (mod 2^64), modulo `bucket` (< 2^26). The exact value V of
 * sext(a) * M + sext(b) is below 2^59 in magnitude, so the uint64 is V, or V + 2^64 when V < 0;
 * its residue is computed from the residues of a and b, with doubles that stay exact.
 */
export function bigramBucket(a: number, b: number, bucket: number): number {
  if (bucket !== cachedBucket) {
    cachedBucket = bucket;
    cachedP64 = powMods(bucket).p64;
    cachedMulMod = NGRAM_MUL % bucket;
  }
  let am = a % bucket;
  if (am < 0) am += bucket;
  let bm = b % bucket;
  if (bm < 0) bm += bucket;
  // the sign of V from doubles: exact when |a| <= 18; beyond, |a * M| exceeds |b| by far more
  // than the rounding error
  let t = am * cachedMulMod + bm + (a * NGRAM_MUL + b < 0 ? cachedP64 : 0);
  t -= Math.floor(t / bucket) * bucket;
  if (t < 0) t += bucket;
  else if (t >= bucket) t -= bucket;
  return t;
}

/**
 * Word n-gram ids as fastText's addWordNgrams computes them. `hashes` are the int32 word
 * hashes of the line (start..end); ids (bucket-relative, before pruning) go to `emit`.
 */
export function wordNgramBuckets(hashes: Int32Array, start: number, end: number, n: number, bucket: number, emit: (id: number) => void): void {
  const fast = bucket < FAST_BIGRAM_BUCKETS; // bucket^2 < 2^53
  if (n === 2 && fast) {
    for (let i = start; i + 1 < end; i++) emit(bigramBucket(hashes[i], hashes[i + 1], bucket));
    return;
  }
  const pow32 = TWO32 % bucket;
  for (let i = start; i < end; i++) {
    let lo = hashes[i] >>> 0;
    let hi = hashes[i] < 0 ? 0xffffffff : 0;
    const jEnd = Math.min(end, i + n);
    for (let j = i + 1; j < jEnd; j++) {
      // (hi, lo) * NGRAM_MUL
      const ll = lo & 0xffff;
      const lh = lo >>> 16;
      const a = ll * NGRAM_MUL;
      const b = lh * NGRAM_MUL;
      const t = a + (b % 65536) * 65536;
      const carry = Math.floor(t / TWO32) + Math.floor(b / 65536);
      lo = t % TWO32;
      hi = (Math.imul(hi, NGRAM_MUL) + carry) >>> 0;
      // + sign-extended hash_j
      const x = hashes[j];
      lo += x >>> 0;
      let c = 0;
      if (lo >= TWO32) {
        lo -= TWO32;
        c = 1;
      }
      hi = (hi + (x < 0 ? 0xffffffff : 0) + c) >>> 0;
      const r = fast ? ((hi % bucket) * pow32 + lo) % bucket : (mulmod(hi % bucket, pow32, bucket) + (lo % bucket)) % bucket;
      emit(r);
    }
  }
}
