/**
 * Nonparametric bootstrap as case weights: resampling n points with replacement is the same as
 * giving each point the number of times it was drawn, so a refit never copies the data.
 */
import type { Rng } from "./rng.js";

/** Fills `weights` with multinomial(n, 1/n) counts: how often each point was drawn. */
export function resampleWeights(rng: Rng, weights: Float64Array): Float64Array {
  const n = weights.length;
  weights.fill(0);
  for (let i = 0; i < n; i++) weights[rng.int(n)] += 1;
  return weights;
}

/** Number of distinct points drawn (a refit needs at least as many as the law has parameters). */
export function distinctDrawn(weights: Float64Array): number {
  let k = 0;
  for (let i = 0; i < weights.length; i++) if (weights[i] > 0) k++;
  return k;
}
