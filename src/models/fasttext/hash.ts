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

/**
 * Word n-gram ids as fastText's addWordNgrams computes them. `hashes` are the int32 word
 * hashes of the line (start..end); ids (bucket-relative, before pruning) go to `emit`.
 */
export function wordNgramBuckets(hashes: Int32Array, start: number, end: number, n: number, bucket: number, emit: (id: number) => void): void {
  const pow32 = TWO32 % bucket;
  const fast = bucket < 67108864; // bucket^2 < 2^53
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
