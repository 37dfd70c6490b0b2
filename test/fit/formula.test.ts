import { describe, expect, it } from "vitest";
import { parseFormula, FormulaError } from "../../src/models/laws/formula/parse.js";
import { formulaLaw } from "../../src/models/laws/formula/law.js";

describe("formula parser", () => {
  it("respects precedence and associativity", () => {
    const law = formulaLaw("a + 2*x^3^0.5 - -x/4", ["x"]);
    const x = 1.7;
    expect(law.predict({ a: 1 }, [x])).toBeCloseTo(1 + 2 * Math.pow(x, Math.pow(3, 0.5)) + x / 4, 12);
    expect(formulaLaw("-x^2 + c", ["x"]).predict({ c: 0 }, [3])).toBe(-9);
    expect(formulaLaw("y = c * exp(-k*x) + log(x) + sqrt(x) + pow(x, 2)", ["x"]).predict({ c: 2, k: 0.5 }, [4])).toBeCloseTo(
      2 * Math.exp(-2) + Math.log(4) + 2 + 16,
      12,
    );
  });

  it("differentiates: the Jacobian matches central differences", () => {
    const law = formulaLaw("E + A/x^alpha + B*log10(x)/exp(k*x)", ["x"]);
    const theta = Float64Array.from([1.5, 30, 0.4, 0.7, 0.01]);
    const xs = [Float64Array.from([2, 10, 50])];
    const out = new Float64Array(3);
    const jac = new Float64Array(3 * law.dim);
    law.evaluate(theta, xs, out, jac);
    for (let j = 0; j < law.dim; j++) {
      const h = 1e-6 * Math.max(1, Math.abs(theta[j]));
      const tp = Float64Array.from(theta);
      const tm = Float64Array.from(theta);
      tp[j] += h;
      tm[j] -= h;
      const op = new Float64Array(3);
      const om = new Float64Array(3);
      law.evaluate(tp, xs, op, null);
      law.evaluate(tm, xs, om, null);
      for (let i = 0; i < 3; i++) expect(jac[i * law.dim + j]).toBeCloseTo((op[i] - om[i]) / (2 * h), 5);
    }
  });

  it("rejects anything that is not an arithmetic formula, with a position", () => {
    expect(() => parseFormula("process.exit(1)")).toThrow(FormulaError);
    expect(() => parseFormula("a + ; b")).toThrow(/unexpected character ';' at position 5/);
    expect(() => parseFormula("a + (b")).toThrow(/expected '\)'/);
    expect(() => parseFormula("eval(x)")).toThrow(/unknown function 'eval'/);
    expect(() => parseFormula("constructor.constructor('x')()")).toThrow(FormulaError);
    expect(() => parseFormula("")).toThrow(/empty formula/);
    expect(() => formulaLaw("a + b", ["x"])).toThrow(/does not use input 'x'/);
    expect(() => formulaLaw("2 * x", ["x"])).toThrow(/no parameters/);
  });
});
