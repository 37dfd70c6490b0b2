/**
 * Huber loss as Hoffmann et al. and Epoch use it: quadratic inside |r| <= delta, linear outside,
 * continuous first derivative. delta = Infinity gives plain least squares (0.5 r^2).
 */
export function huber(r: number, delta: number): number {
  const a = Math.abs(r);
  return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
}

/** d huber / d r. */
export function huberDeriv(r: number, delta: number): number {
  if (r > delta) return delta;
  if (r < -delta) return -delta;
  return r;
}
