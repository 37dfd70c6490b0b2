/**
 * Reductions over data-sized arrays. `Math.min(...xs)` and `a.push(...xs)` pass every element
 * as a call argument and overflow the stack somewhere past ~100k elements ("Maximum call stack
 * size exceeded"); these loop instead.
 */

/** Smallest and largest value (NaN skipped); undefined when there is none. */
export function extent(xs: Iterable<number>): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  let any = false;
  for (const x of xs) {
    if (Number.isNaN(x)) continue;
    any = true;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return any ? [lo, hi] : undefined;
}

/** Like Math.min(...xs) without the spread: Infinity for no values, NaN if any value is NaN. */
export function minOf(xs: Iterable<number>): number {
  let lo = Infinity;
  for (const x of xs) {
    if (Number.isNaN(x)) return NaN;
    if (x < lo) lo = x;
  }
  return lo;
}

/** Like Math.max(...xs) without the spread: -Infinity for no values, NaN if any value is NaN. */
export function maxOf(xs: Iterable<number>): number {
  let hi = -Infinity;
  for (const x of xs) {
    if (Number.isNaN(x)) return NaN;
    if (x > hi) hi = x;
  }
  return hi;
}

/** Appends every element of `src` to `dst` (in place) and returns dst. */
export function pushAll<T>(dst: T[], src: Iterable<T>): T[] {
  for (const x of src) dst.push(x);
  return dst;
}
