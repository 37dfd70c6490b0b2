/** Built-in laws by name, and resolution of a `--law` argument (a name or a formula). */
import { chinchilla } from "./chinchilla.js";
import { power } from "./power.js";
import { loglaw } from "./loglaw.js";
import { sigmoid } from "./sigmoid.js";
import { linear, loglinear } from "./linear.js";
import { formulaLaw } from "./formula/law.js";
import type { Law } from "./types.js";

export const LAWS: Record<string, Law> = { power, loglaw, chinchilla, sigmoid, linear, loglinear };

export function isBuiltinLaw(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(LAWS, name);
}

/**
 * A built-in law, or a formula over `inputs` (column names; a single-input formula may also
 * write its input as `x`).
 */
export function resolveLaw(spec: string, inputs: readonly string[]): Law {
  if (isBuiltinLaw(spec)) return LAWS[spec];
  if (inputs.length === 1 && !new RegExp(`\\b${escapeRe(inputs[0])}\\b`).test(spec) && /\bx\b/.test(spec)) {
    return formulaLaw(spec, ["x"]);
  }
  return formulaLaw(spec, inputs);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
