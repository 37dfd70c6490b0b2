/**
 * Hashes for text features and for seeded per-document randomness. Pure functions; the
 * randomness is a hash of (seed, key), so it does not depend on read order or worker count.
 */
import { createHash } from "node:crypto";

/** DSIR's reference bucket: int(sha256(utf8).hexdigest(), 16) % buckets. */
export function sha256Bucket(s: string, buckets: number): number {
  const digest = createHash("sha256").update(s, "utf8").digest();
  // Horner's rule over the 32 big-endian bytes; r*256+b stays below 2^53 for buckets < 2^40.
  let r = 0;
  for (let i = 0; i < digest.length; i++) r = (r * 256 + digest[i]) % buckets;
  return r;
}

/**
 * A 32-bit hash of the UTF-16 code units of s[start, end): FNV-1a's multiply-xor step over each
 * unit's low byte (and its high byte when non-zero), finished with murmur3's fmix32. It is not
 * FNV-1a (that one hashes UTF-8 bytes and has no finisher: models/fasttext/hash.ts), it is
 * made to hash JavaScript strings in place, without encoding them.
 */
export function utf16Hash32(s: string, start = 0, end = s.length, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    h = Math.imul(h ^ (c & 0xff), 16777619);
    if (c > 0xff) h = Math.imul(h ^ (c >>> 8), 16777619);
  }
  return fmix32(h);
}

export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combines two 32-bit hashes order-sensitively (for bigrams). */
export function combine32(a: number, b: number): number {
  return fmix32((Math.imul(a, 0x9e3779b1) ^ b) + 0x7f4a7c15);
}

/** A uniform double in [0, 1) from (seed, key): 53 bits from two independent 32-bit hashes. */
export function uniform01(seed: number, key: string): number {
  const s = seed >>> 0;
  const hi = utf16Hash32(key, 0, key.length, (0x811c9dc5 ^ fmix32(s ^ 0x5bd1e995)) >>> 0) >>> 11; // 21 bits
  const lo = utf16Hash32(key, 0, key.length, (0x01000193 ^ fmix32(s + 0x27d4eb2f)) >>> 0); // 32 bits
  return (hi * 4294967296 + lo) / 9007199254740992;
}

/** Seeded uniform for an integer key (cheaper than a string key). */
export function uniform01Int(seed: number, key: number): number {
  const a = fmix32((Math.imul(seed >>> 0, 0x9e3779b1) ^ fmix32(key >>> 0)) >>> 0);
  const b = fmix32((a ^ Math.imul(Math.floor(key / 4294967296) + 0x632be5ab, 0x85ebca6b)) >>> 0);
  return ((a >>> 11) * 4294967296 + b) / 9007199254740992;
}
