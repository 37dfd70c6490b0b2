/**
 * Number formatting for the select report: counts with thousands separators, fractions as
 * percentages with enough digits to tell 0.4% from 0.04%, FLOPs in scientific notation.
 * Non-finite values print as "–" rather than "NaN" so a partial run still reads cleanly.
 */
const DASH = "\u2013";

export function fmtInt(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return DASH;
  return Math.round(n).toLocaleString("en-US");
}

/** A fraction in 0..1 as a percentage; small values keep two significant digits. */
export function fmtPct(fraction: number | undefined): string {
  if (fraction === undefined || !Number.isFinite(fraction)) return DASH;
  const p = fraction * 100;
  if (p === 0) return "0%";
  const abs = Math.abs(p);
  if (abs >= 10) return p.toFixed(1) + "%";
  if (abs >= 1) return p.toFixed(2) + "%";
  return p.toPrecision(2) + "%";
}

export function fmtNum(n: number | undefined, digits = 4): string {
  if (n === undefined || !Number.isFinite(n)) return DASH;
  if (n === 0) return "0";
  const abs = Math.abs(n);
  if (abs >= 1e6 || abs < 1e-3) return n.toExponential(2);
  return Number(n.toPrecision(digits)).toString();
}

export function fmtFlops(n: number): string {
  if (!Number.isFinite(n)) return DASH;
  const [m, e] = n.toExponential(2).split("e");
  return `${Number(m)}e${Number(e)}`;
}

export function fmtRate(docs: number, seconds: number): string {
  if (!(seconds > 0) || !Number.isFinite(docs)) return DASH;
  const r = docs / seconds;
  if (r >= 1e6) return (r / 1e6).toFixed(2) + "M";
  if (r >= 1e4) return (r / 1e3).toFixed(1) + "k";
  return fmtInt(r);
}

export function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return DASH;
  if (s < 1) return (s * 1000).toFixed(0) + " ms";
  if (s < 120) return s.toFixed(1) + " s";
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** Safe ratio: 0 when the denominator is 0 (an empty run), never NaN. */
export function ratio(a: number, b: number): number {
  return b > 0 ? a / b : 0;
}
