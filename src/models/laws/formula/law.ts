/**
 * A user formula as a Law: identifiers that name inputs are data, every other identifier is a
 * parameter (in order of first appearance). Residuals in y, least squares unless a Huber delta
 * is given; starts from a small grid over {0.1, 1, 10} (capped) unless starts are supplied.
 */
import { FUNCTIONS, identifiers, parseFormula, FormulaError } from "./parse.js";
import { Tape } from "./tape.js";
import { grid, type Law } from "../types.js";

const MAX_STARTS = 243;

export function formulaLaw(source: string, inputs: readonly string[]): Law {
  const tree = parseFormula(source);
  const ids = identifiers(tree);
  const missing = inputs.filter((x) => !ids.includes(x));
  if (missing.length) throw new FormulaError(`formula does not use input '${missing.join("', '")}'`, 0);
  const params = ids.filter((id) => !inputs.includes(id) && !(id in FUNCTIONS));
  if (params.length === 0) throw new FormulaError("formula has no parameters to fit", 0);
  const tape = new Tape(tree, inputs, params);
  const dim = params.length;
  const probe = [0.1, 1, 10];
  // Full grid when small; otherwise the all-ones point plus one-at-a-time variations.
  const starts: Float64Array[] =
    Math.pow(probe.length, dim) <= MAX_STARTS
      ? grid(params.map(() => probe))
      : [Float64Array.from(params.map(() => 1)), ...params.flatMap((_, j) => probe.filter((v) => v !== 1).map((v) => Float64Array.from(params.map((__, i) => (i === j ? v : 1)))))];
  const xBuf = inputs.map(() => new Float64Array(1));
  return {
    name: source.trim(),
    params,
    inputs,
    space: "linear",
    defaultDelta: Infinity,
    logInputs: inputs.map(() => false),
    dim,
    formula: source.trim(),
    prepare: (x) => x,
    evaluate(theta, features, out, jac) {
      for (let i = 0; i < out.length; i++) out[i] = tape.eval(theta, features, i, jac, i * dim);
    },
    starts: () => starts.map((s) => Float64Array.from(s)),
    toParams: (t) => Object.fromEntries(params.map((p, j) => [p, t[j]])),
    fromParams: (p) => Float64Array.from(params.map((name) => p[name])),
    predict(p, x) {
      x.forEach((v, j) => (xBuf[j][0] = v));
      return tape.eval(params.map((name) => p[name]), xBuf, 0, null, 0);
    },
  };
}
