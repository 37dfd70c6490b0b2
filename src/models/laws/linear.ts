/**
 * Baselines: y = a + b·x (`linear`) and y = a + b·ln x (`loglinear`). Started from the
 * ordinary least-squares solution, so with the default (least squares) loss the fit is that
 * solution; with a Huber delta L-BFGS moves it to the robust one.
 */
import { lnColumn, type FitData, type Law } from "./types.js";
import { olsLine } from "../stats/ols-line.js";

function ols(x: Float64Array, y: Float64Array): Float64Array {
  const { intercept, slope } = olsLine(x, y);
  return Float64Array.from([intercept, slope]);
}

function affine(name: string, useLog: boolean): Law {
  return {
    name,
    params: ["a", "b"],
    inputs: ["x"],
    space: "linear",
    defaultDelta: Infinity,
    logInputs: [useLog],
    dim: 2,
    formula: useLog ? "y = a + b * ln(x)" : "y = a + b * x",
    prepare: (x) => [useLog ? lnColumn(x[0]) : x[0]],
    evaluate(theta, [u], out, jac) {
      const a = theta[0];
      const b = theta[1];
      for (let i = 0; i < out.length; i++) {
        out[i] = a + b * u[i];
        if (jac) {
          jac[2 * i] = 1;
          jac[2 * i + 1] = u[i];
        }
      }
    },
    starts: (data: FitData) => [ols(useLog ? lnColumn(data.x[0]) : data.x[0], data.y)],
    toParams: (t) => ({ a: t[0], b: t[1] }),
    fromParams: (p) => Float64Array.from([p.a, p.b]),
    predict: (p, [x]) => p.a + p.b * (useLog ? Math.log(x) : x),
  };
}

export const linear = affine("linear", false);
export const loglinear = affine("loglinear", true);
