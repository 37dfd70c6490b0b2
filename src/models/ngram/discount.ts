/**
 * Modified Kneser–Ney discounts per order from the count-of-counts, in float32 exactly as
 * lmplz computes them (Chen & Goodman eq. 26): D(k) = k − (k+1)·Y·n_{k+1}/n_k, Y = n1/(n1+2·n2).
 * When n1, n2 or n3 is zero, or a discount leaves [0, k], lmplz stops with an error unless
 * --discount_fallback gives substitutes (default 0.5, 1, 1.5).
 */
const f = Math.fround;

/** amount[0] = 0, amount[1..3] = D1, D2, D3+. */
export type Discount = Float32Array;

export const DEFAULT_FALLBACK: readonly number[] = [0.5, 1, 1.5];

export class DiscountError extends Error {}

export function discountFor(d: Discount, count: number): number {
  return d[count < 3 ? count : 3];
}

/** lmplz's ParseDiscountFallback: up to three values, the last repeated, D_k within [0, k]. */
export function fallbackDiscount(values: readonly number[] = DEFAULT_FALLBACK): Discount {
  if (values.length === 0 || values.length > 3) throw new DiscountError("specify one to three fallback discounts: 1, 2, and 3+");
  const d = new Float32Array(4);
  for (let i = 0; i < 3; i++) {
    const v = f(values[i < values.length ? i : values.length - 1]);
    if (!(v >= 0 && v <= i + 1)) throw new DiscountError(`the discount for count ${i + 1} was parsed as ${v} which is not in the range [0, ${i + 1}]`);
    d[i + 1] = v;
  }
  return d;
}

/**
 * `n[k]` = number of n-grams of this order with adjusted count k (k = 1..4). Throws
 * DiscountError with lmplz's wording unless a fallback is given; `onFallback` hears about
 * each substitution (lmplz prints it).
 */
export function computeDiscount(order: number, n: ArrayLike<number>, fallback?: Discount, onFallback?: (message: string) => void): Discount {
  try {
    for (let j = 1; j < 4; j++) {
      if (n[j] === 0)
        throw new DiscountError(
          `could not calculate Kneser-Ney discounts for ${order}-grams with adjusted count ${j + 1} because no ${order}-grams with adjusted count ${j} were observed; is this small or artificial data? Try deduplicating the input, or rerun with --discount-fallback`,
        );
    }
    const d = new Float32Array(4);
    const y = f(f(n[1]) / f(n[1] + 2.0 * n[2]));
    for (let j = 1; j < 4; j++) {
      const v = f(f(j) - f(f(f(f(j + 1) * y) * f(n[j + 1])) / f(n[j])));
      d[j] = v;
      if (d[j] < 0 || d[j] > j)
        throw new DiscountError(
          `${order}-gram discount out of range for adjusted count ${j}: ${d[j]}; modified Kneser-Ney smoothing thinks something is weird about your data; rerun with --discount-fallback to override`,
        );
    }
    return d;
  } catch (err) {
    if (!(err instanceof DiscountError) || !fallback) throw err;
    onFallback?.(`substituting fallback discounts for order ${order}: D1=${fallback[1]} D2=${fallback[2]} D3+=${fallback[3]}`);
    return fallback;
  }
}
