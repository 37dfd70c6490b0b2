/**
 * writeFloat32Shortest (the bytes lm query prints for each log10 p) against a reference built
 * from JavaScript's own correctly rounded toPrecision: the fewest significant digits p whose
 * decimal reads back as the same float32. Same value, same number of digits, for random float32
 * values across the range query prints and for the log10 values a 5-gram model prints.
 */
import { describe, expect, it } from "vitest";
import { writeFloat32Shortest, writeUint } from "../../../src/models/ngram/format.js";

/**
 * Shortest round-trip digits of a float32, by brute force over correctly rounded decimals:
 * toPrecision's, except that an exact tie goes to the even digit (double-conversion's and
 * KenLM's choice) where toPrecision rounds up. A float32's exact decimal expansion fits
 * toExponential(99) wherever a tie can happen.
 */
function reference(x: number): { value: number; digits: number } {
  const [mant, exp] = Math.abs(x).toExponential(99).split("e");
  const digits = mant.replace(".", "");
  for (let p = 1; p <= 9; p++) {
    const tieEven = /^50*$/.test(digits.slice(p)) && Number(digits[p - 1]) % 2 === 0;
    const v = tieEven ? (x < 0 ? -1 : 1) * Number(`${digits.slice(0, p)}e${Number(exp) - p + 1}`) : Number(x.toPrecision(p));
    if (Math.fround(v) === x) return { value: v, digits: p };
  }
  throw new Error(`no round trip for ${x}`);
}

function ours(x: number): string | null {
  const out = new Uint8Array(64);
  const end = writeFloat32Shortest(out, 0, x);
  return end < 0 ? null : Buffer.from(out.subarray(0, end)).toString("latin1");
}

function significantDigits(s: string): number {
  const mant = s.replace(/^-/, "").replace(/e.*$/, "").replace(".", "").replace(/^0+/, "");
  return mant.replace(/0+$/, "").length || 1;
}

/** A deterministic stream of float32 values (xorshift over the bit patterns). */
function* floats(count: number, seed: number, lo: number, hi: number): Generator<number> {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  let s = seed >>> 0;
  for (let i = 0; i < count; ) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    u[0] = s >>> 0;
    const x = f[0];
    if (Number.isFinite(x) && Math.abs(x) > lo && Math.abs(x) < hi) {
      i++;
      yield x;
    }
  }
}

describe("writeFloat32Shortest", () => {
  it("random float32 values from 1e-20 to 1e15: the shortest round-trip decimal", () => {
    let checked = 0;
    for (const x of floats(100_000, 0x9e3779b9, 1e-20, 1e15)) {
      const s = ours(x);
      // only where powers of ten stop being exact may it leave a value to the caller's string path
      if (Math.abs(x) > 1e-12) expect(s, String(x)).not.toBeNull();
      if (s === null) continue;
      const ref = reference(x);
      expect(Number(s), s).toBe(ref.value);
      expect(significantDigits(s), s).toBe(ref.digits);
      checked++;
    }
    expect(checked).toBeGreaterThan(80_000);
  });

  it("log10 probabilities as query prints them (-10 to 0, sums of float32s): the shortest round-trip decimal", () => {
    let seen = 0;
    const byDigits = new Map<number, number>();
    for (const x of floats(100_000, 12345, 1e-7, 10)) {
      const v = -Math.fround(x);
      const s = ours(v);
      expect(s).not.toBeNull();
      const ref = reference(v);
      expect(Number(s)).toBe(ref.value);
      expect(significantDigits(s!)).toBe(ref.digits);
      byDigits.set(ref.digits, (byDigits.get(ref.digits) ?? 0) + 1);
      seen++;
    }
    expect(seen).toBe(100_000);
    // exact short values too (the search goes down from 7 digits)
    for (const v of [-1, -0.5, -2.25, -0.125, -3.1, -10, -1e-5, -0.30103]) {
      const f = Math.fround(v);
      expect(Number(ours(f))).toBe(reference(f).value);
      expect(significantDigits(ours(f)!)).toBe(reference(f).digits);
    }
    expect(byDigits.get(9)).toBeGreaterThan(0);
  });
});

describe("writeUint", () => {
  it("writes what String() writes, from 0 to past 2^31", () => {
    const out = new Uint8Array(32);
    const cases = [0, 1, 9, 10, 99, 100, 101, 160807, 999999, 1000000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 7, Number.MAX_SAFE_INTEGER];
    let s = 7;
    for (let i = 0; i < 10_000; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      cases.push(s % 10 ** (1 + (i % 10)));
    }
    for (const n of cases) {
      const end = writeUint(out, 3, n);
      expect(Buffer.from(out.subarray(3, end)).toString("latin1")).toBe(String(n));
    }
  });
});
