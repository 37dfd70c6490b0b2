/**
 * std::minstd_rand and the libstdc++ distributions fastText draws from, reproduced exactly so
 * that matrix initialisation matches fastText 0.9.2 bit for bit and runs are seedable.
 */
const M = 2147483647;
const A = 48271;
const R = 2147483646; // max - min + 1

export class MinStd {
  x: number;
  constructor(seed: number) {
    // libstdc++: seed is taken modulo m (as an unsigned value); 0 becomes 1.
    let s = Number(((BigInt(Math.trunc(seed)) % BigInt(M)) + BigInt(M)) % BigInt(M));
    if (seed < 0) s = Number(((1n << 64n) + BigInt(Math.trunc(seed))) % BigInt(M));
    this.x = s === 0 ? 1 : s;
  }
  /** Next value in [1, 2147483646]; x * 48271 < 2^53, so the product is exact. */
  next(): number {
    // x * A mod (2^31 - 1) without a floating-point modulo: 2^31 = 1 (mod M), so
    // p = hi * 2^31 + lo gives p = hi + lo (mod M), and hi + lo < 2 * M
    const p = this.x * A;
    const hi = Math.floor(p / 2147483648);
    let r = hi + (p - hi * 2147483648);
    if (r >= M) r -= M;
    this.x = r;
    return r;
  }
  /** std::generate_canonical<double, 53>: two draws. */
  canonical(): number {
    let sum = this.next() - 1;
    let tmp = R;
    sum += (this.next() - 1) * tmp;
    tmp *= R;
    const ret = sum / tmp;
    return ret >= 1 ? 1 - Number.EPSILON / 2 : ret;
  }
  /** std::uniform_real_distribution<double>(a, b). */
  uniformReal(a: number, b: number): number {
    return this.canonical() * (b - a) + a;
  }
  /** std::uniform_int_distribution<int>(0, hi) for hi < 2^31 - 2 (downscaling with rejection). */
  uniformInt(hi: number): number {
    const urngrange = R - 1;
    const uerange = hi + 1;
    const scaling = Math.floor(urngrange / uerange);
    const past = uerange * scaling;
    let ret: number;
    do ret = this.next() - 1;
    while (ret >= past);
    return Math.floor(ret / scaling);
  }
}
