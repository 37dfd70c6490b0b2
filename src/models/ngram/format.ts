/**
 * Number formatting. ARPA numbers are written fixed-point (7 decimals: below float32's
 * resolution for log10 values, and far faster than shortest round-trip printing). Query
 * output prints floats the way KenLM does (double-conversion ToShortestSingle / ToShortest,
 * decimal between 1e-6 and 1e21, exponent without '+'), so lines can match byte for byte.
 */

/** Two ASCII digits per value 0..99, for writing numbers two digits at a time. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = 48 + Math.floor(i / 10);
  PAIRS[2 * i + 1] = 48 + (i % 10);
}

/** Writes x with at most 7 decimals into buf at pos; returns the new position. */
export function writeFixed7(buf: Uint8Array, pos: number, x: number): number {
  const ax = x < 0 ? -x : x;
  if (!(ax < 199)) {
    // large, infinite or NaN: rare, take the slow road
    const s = Number.isNaN(x) ? "nan" : x === -Infinity ? "-inf" : x === Infinity ? "inf" : String(Math.round(x * 1e7) / 1e7);
    for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i);
    return pos;
  }
  const v = Math.round(ax * 1e7); // < 2^31: integer arithmetic below
  if (v === 0) {
    buf[pos] = 48;
    return pos + 1;
  }
  if (x < 0) buf[pos++] = 45;
  const int = (v / 10000000) | 0;
  const frac = v - int * 10000000;
  if (int >= 100) {
    buf[pos++] = 49;
    const r = int - 100;
    buf[pos++] = PAIRS[2 * r];
    buf[pos++] = PAIRS[2 * r + 1];
  } else if (int >= 10) {
    buf[pos++] = PAIRS[2 * int];
    buf[pos++] = PAIRS[2 * int + 1];
  } else buf[pos++] = 48 + int;
  if (frac === 0) return pos;
  buf[pos] = 46;
  // 7 digits: d0 | d1d2 | d3d4 | d5d6
  const a = (frac / 1000000) | 0;
  let r = frac - a * 1000000;
  const b = (r / 10000) | 0;
  r -= b * 10000;
  const c = (r / 100) | 0;
  const d = r - c * 100;
  buf[pos + 1] = 48 + a;
  buf[pos + 2] = PAIRS[2 * b];
  buf[pos + 3] = PAIRS[2 * b + 1];
  buf[pos + 4] = PAIRS[2 * c];
  buf[pos + 5] = PAIRS[2 * c + 1];
  buf[pos + 6] = PAIRS[2 * d];
  buf[pos + 7] = PAIRS[2 * d + 1];
  let end = pos + 8;
  while (buf[end - 1] === 48) end--;
  return end;
}

export function writeUint(buf: Uint8Array, pos: number, n: number): number {
  if (n < 10) {
    buf[pos] = 48 + n;
    return pos + 1;
  }
  let len = 0;
  for (let t = n; t > 0; t = Math.floor(t / 10)) len++;
  for (let i = len - 1; i >= 0; i--) {
    buf[pos + i] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  return pos + len;
}

function kenlmStyle(s: string): string {
  // JS writes 1e+21 and 1e-7; double-conversion writes 1e21 and 1e-7.
  return s.includes("e+") ? s.replace("e+", "e") : s;
}

/** A float32 value as KenLM prints it (shortest digits that read back to the same float). */
export function formatFloat32(x: number): string {
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "NaN" : x > 0 ? "inf" : "-inf";
  const target = Math.fround(x);
  // Six digits round-trip whenever anything shorter does (the shorter digits, zero-padded, are
  // what rounding to six gives), and String() of the result drops the padding.
  for (let p = 6; p <= 9; p++) {
    let s = target.toPrecision(p);
    if (Math.fround(Number(s)) !== target) continue;
    // toPrecision rounds a tie away from zero; double-conversion takes the even digit. A tie
    // means the value has exactly p+1 significant digits, the last a 5.
    const longer = target.toPrecision(p + 1);
    if (Number(longer) === target && /5(e|$)/.test(longer)) {
      const tie = halfEven(target, p);
      if (tie !== null && Math.fround(Number(tie)) === target) s = tie;
    }
    return kenlmStyle(String(Number(s)));
  }
  return kenlmStyle(String(target));
}

/** When |x| lies exactly halfway between two p-digit decimals, the even one; else null. */
function halfEven(x: number, p: number): string | null {
  const exact = Math.abs(x).toExponential(99);
  const mant = exact.slice(0, exact.indexOf("e")).replace(".", "");
  const rest = mant.slice(p);
  if (!/^50*$/.test(rest)) return null;
  const last = Number(mant[p - 1]);
  if (last % 2 === 1) return null; // rounding up gives the even digit: toPrecision's choice already
  const digits = mant.slice(0, p);
  const e = Number(exact.slice(exact.indexOf("e") + 1));
  const sci = `${digits[0]}${p > 1 ? "." + digits.slice(1) : ""}e${e}`;
  return (x < 0 ? "-" : "") + sci;
}

/** A double as KenLM prints it (shortest round-trip). */
export function formatDouble(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "NaN" : x > 0 ? "inf" : "-inf";
  return kenlmStyle(String(x));
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const DIG = new Uint8Array(24);

/**
 * formatFloat32 written straight into bytes, without strings, for the values query prints
 * (1e-20 < |x| < 1e15); returns -1 for anything else so the caller falls back to the string
 * path. Finds the fewest digits p whose nearest p-digit decimal reads back as the same float,
 * breaking an exact tie toward the even digit as double-conversion does.
 */
export function writeFloat32Shortest(out: Uint8Array, pos: number, x: number): number {
  const t = Math.fround(x);
  const ax = t < 0 ? -t : t;
  if (!(ax > 1e-20 && ax < 1e15)) return -1;
  let e10 = Math.floor(Math.log10(ax));
  if (ax < POW10x(e10)) e10--;
  else if (ax >= POW10x(e10 + 1)) e10++;
  // the fewest digits p that read back: if p digits do, p + 1 do (the p-digit decimals are
  // among the (p + 1)-digit ones), so search from 7, where query's log10 values mostly land
  // (7-8 digits), instead of from 1
  let p = 7;
  let m = nearestDigits(ax, p, e10);
  if (m === -2) {
    // tiny values: 7 digits is past the exact powers of ten, fewer may do
    for (p = 1; p < 7; p++) if ((m = nearestDigits(ax, p, e10)) >= 0) break;
    if (m < 0) return -1;
  } else if (m >= 0) {
    for (let q = 6; q >= 1; q--) {
      const mq = nearestDigits(ax, q, e10);
      if (mq < 0) break;
      p = q;
      m = mq;
    }
  } else {
    for (p = 8; p <= 9; p++) {
      m = nearestDigits(ax, p, e10);
      if (m === -2) return -1;
      if (m >= 0) break;
    }
    if (m < 0) return -1;
  }
  // digits of m, without trailing zeros (m ≤ 10^9 fits int32: integer division, not fmod)
  let nd = 0;
  let v = m | 0;
  while (v > 0) {
    const q = (v / 10) | 0;
    DIG[nd++] = v - q * 10;
    v = q;
  }
  let lead = e10 + (nd - p); // exponent of the leading digit (rounding may carry to p+1 digits)
  let z = 0;
  while (z < nd - 1 && DIG[z] === 0) z++;
  if (t < 0) out[pos++] = 45;
  const count = nd - z;
  if (lead >= -7 + 1 && lead < 21) {
    // plain notation, as JS and double-conversion (decimal exponents -6 .. 20)
    if (lead < 0) {
      out[pos++] = 48;
      out[pos++] = 46;
      for (let i = -1; i > lead; i--) out[pos++] = 48;
      for (let i = nd - 1; i >= z; i--) out[pos++] = 48 + DIG[i];
    } else {
      for (let i = nd - 1, e = lead; i >= z || e >= 0; i--, e--) {
        if (e === -1) out[pos++] = 46;
        out[pos++] = i >= z ? 48 + DIG[i] : 48;
        if (i < z && e <= 0) break;
      }
    }
  } else {
    out[pos++] = 48 + DIG[nd - 1];
    if (count > 1) {
      out[pos++] = 46;
      for (let i = nd - 2; i >= z; i--) out[pos++] = 48 + DIG[i];
    }
    out[pos++] = 101;
    if (lead < 0) {
      out[pos++] = 45;
      lead = -lead;
    }
    pos = writeUint(out, pos, lead);
  }
  return pos;
}

/**
 * The p-digit mantissa m of the p-digit decimal nearest to ax (leading digit at 10^e10; an
 * exact tie goes to the even m, as double-conversion does), when it reads back as ax as a
 * float32; -1 when it does not, -2 when the scale is beyond exact powers of ten.
 */
function nearestDigits(ax: number, p: number, e10: number): number {
  const k = p - 1 - e10;
  if (k > 22 || k < -22) return -2;
  const scaled = k >= 0 ? ax * POW10[k] : ax / POW10[-k];
  let m = Math.round(scaled);
  if (scaled - Math.floor(scaled) === 0.5 && m % 2 === 1) m -= 1;
  const cand = k >= 0 ? m / POW10[k] : m * POW10[-k];
  return Math.fround(cand) === ax ? m : -1;
}

function POW10x(e: number): number {
  return e >= 0 ? (e <= 22 ? POW10[e] : Math.pow(10, e)) : e >= -22 ? 1 / POW10[-e] : Math.pow(10, e);
}
