/**
 * Checks data against a law before fitting, so bad input fails with a reason that names the
 * point (row index) and the column instead of surfacing as a NaN optimum.
 */
import type { FitData, Law } from "./types.js";

export class LawDataError extends Error {
  constructor(
    message: string,
    /** 0-based index of the offending point, when one point is at fault. */
    readonly row?: number,
    /** Law input name or "y". */
    readonly column?: string,
  ) {
    super(message);
    this.name = "LawDataError";
  }
}

/** Points needed: one more than the parameters, so the fit is not an interpolation. */
export function minPoints(law: Law): number {
  return law.dim + 1;
}

export function validateData(law: Law, data: FitData, names: { x?: readonly string[]; y?: string } = {}): void {
  const xNames = names.x ?? law.inputs;
  const yName = names.y ?? "y";
  if (data.x.length !== law.inputs.length) {
    throw new LawDataError(`law '${law.name}' takes ${law.inputs.length} input column(s) (${law.inputs.join(", ")}), got ${data.x.length}`);
  }
  const n = data.y.length;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < data.x.length; j++) {
      const v = data.x[j][i];
      if (!Number.isFinite(v)) throw new LawDataError(`${xNames[j]} is ${Number.isNaN(v) ? "missing or NaN" : v}`, i, xNames[j]);
      if (law.logInputs[j] && !(v > 0)) throw new LawDataError(`${xNames[j]} = ${v} but law '${law.name}' takes its logarithm (needs > 0)`, i, xNames[j]);
    }
    const y = data.y[i];
    if (!Number.isFinite(y)) throw new LawDataError(`${yName} is ${Number.isNaN(y) ? "missing or NaN" : y}`, i, yName);
    if (law.space === "log" && !(y > 0)) throw new LawDataError(`${yName} = ${y} but law '${law.name}' fits log ${yName} (needs > 0)`, i, yName);
  }
  const need = minPoints(law);
  if (n < need) throw new LawDataError(`too few points for law '${law.name}': it has ${law.dim} parameters and needs at least ${need} points, got ${n}`);
}
