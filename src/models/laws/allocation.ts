/**
 * Compute-optimal allocation under a Chinchilla law with C = 6·N·D (Hoffmann et al. eq. 4):
 * minimising E + A/N^α + B/D^β on that budget gives
 *   N*(C) = G·(C/6)^(β/(α+β)),  D*(C) = G⁻¹·(C/6)^(α/(α+β)),  G = (αA / (βB))^(1/(α+β)).
 */
export interface ChinchillaParams {
  E: number;
  A: number;
  B: number;
  alpha: number;
  beta: number;
}

export interface Allocation {
  compute: number;
  N: number;
  D: number;
  tokensPerParam: number;
  loss: number;
}

export function optimalAllocation(p: ChinchillaParams, compute: number): Allocation {
  if (!(compute > 0) || !Number.isFinite(compute)) throw new RangeError(`compute must be a positive number of FLOPs, got ${compute}`);
  if (!(p.alpha > 0 && p.beta > 0)) throw new RangeError("compute-optimal allocation needs alpha > 0 and beta > 0");
  const s = p.alpha + p.beta;
  const G = Math.pow((p.alpha * p.A) / (p.beta * p.B), 1 / s);
  const N = G * Math.pow(compute / 6, p.beta / s);
  const D = (1 / G) * Math.pow(compute / 6, p.alpha / s);
  return { compute, N, D, tokensPerParam: D / N, loss: p.E + p.A / Math.pow(N, p.alpha) + p.B / Math.pow(D, p.beta) };
}

/** The allocation exists only when loss falls with both N and D (alpha > 0, beta > 0). */
export function allocationDefined(p: ChinchillaParams): boolean {
  return p.alpha > 0 && p.beta > 0 && p.A > 0 && p.B > 0;
}
