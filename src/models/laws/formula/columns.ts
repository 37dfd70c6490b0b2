/**
 * Derived input columns, e.g. tokens from compute: D = `Training FLOP` / (6 * `Model Size`).
 * The same safe parser as user laws; every identifier must name an existing column.
 */
import { identifiers, parseFormula, FormulaError } from "./parse.js";
import { Tape } from "./tape.js";

/** Evaluates `expr` row by row over the named columns. */
export function evaluateColumnExpression(expr: string, columns: Record<string, Float64Array>, n: number): Float64Array {
  const tree = parseFormula(expr);
  const ids = identifiers(tree);
  const unknown = ids.filter((id) => !(id in columns));
  if (unknown.length) throw new FormulaError(`unknown column '${unknown[0]}' in '${expr}'`, 0);
  const tape = new Tape(tree, ids, []);
  const inputs = ids.map((id) => columns[id]);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = tape.eval([], inputs, i, null, 0);
  return out;
}
