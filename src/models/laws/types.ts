/**
 * What every scaling law provides to the generic robust fitter (fit.ts): a model evaluated in
 * its residual space (log y for laws of positive losses, y otherwise) over an internal
 * parameter vector θ, its Jacobian, starting points, and the mapping to the named parameters
 * people report (e.g. Chinchilla's θ = (a, b, e, α, β) ↔ A = e^a, B = e^b, E = e^e).
 */
export type ResidualSpace = "log" | "linear";

export interface FitData {
  /** Input columns (one per law input), raw values. */
  x: Float64Array[];
  /** Observed y, raw values. */
  y: Float64Array;
}

export interface Law {
  /** Name used on the command line and in the JSON (`power`, `chinchilla`, or the formula). */
  readonly name: string;
  /** Reported parameter names, in the order of the JSON `params` object. */
  readonly params: readonly string[];
  /** Input names, e.g. ["x"] or ["N", "D"]; `--x` binds columns to them in order. */
  readonly inputs: readonly string[];
  /** Residuals are taken in this space; "log" requires y > 0. */
  readonly space: ResidualSpace;
  /** Huber delta used when the user gives none (Infinity = least squares). */
  readonly defaultDelta: number;
  /** Inputs whose logarithm the law takes (must be > 0). */
  readonly logInputs: readonly boolean[];
  /** Size of θ. */
  readonly dim: number;
  /** Human-readable formula for reports. */
  readonly formula: string;
  /** Transforms raw inputs once per data set (e.g. ln N, ln D); the result is what `evaluate` reads. */
  prepare(x: Float64Array[]): Float64Array[];
  /**
   * Model value at every point in residual space into `out`; when `jac` is given, also
   * ∂out[i]/∂θ[j] into jac[i·dim + j].
   */
  evaluate(theta: Float64Array, features: Float64Array[], out: Float64Array, jac: Float64Array | null): void;
  /**
   * Optional fused Σ w·huber(model − target) and its gradient, for laws fitted thousands of times
   * (Chinchilla's grid and bootstrap); must equal the generic evaluate-then-reduce path.
   */
  huberObjective?(theta: Float64Array, features: Float64Array[], target: Float64Array, weights: Float64Array | null, delta: number, g: Float64Array): number;
  /** Starting points for the multi-start search (flattened, dim values each). */
  starts(data: FitData): Float64Array[];
  toParams(theta: ArrayLike<number>): Record<string, number>;
  fromParams(params: Record<string, number>): Float64Array;
  /** y at one raw input point (natural space). */
  predict(params: Record<string, number>, x: readonly number[]): number;
}

/** Cartesian product of value lists, as points. */
export function grid(axes: number[][]): Float64Array[] {
  let out: number[][] = [[]];
  for (const axis of axes) out = out.flatMap((p) => axis.map((v) => [...p, v]));
  return out.map((p) => Float64Array.from(p));
}

/** start, start+step, ..., up to and including stop (tolerant of float steps). */
export function range(start: number, stop: number, step: number): number[] {
  const out: number[] = [];
  for (let k = 0; start + k * step <= stop + 1e-9 * Math.abs(step); k++) out.push(+(start + k * step).toFixed(12));
  return out;
}

export function lnColumn(v: Float64Array): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Math.log(v[i]);
  return out;
}
