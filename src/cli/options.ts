/**
 * The option-value parsers every command shares. A bad value is a usage error (exit 2) with one
 * line naming the option, whether commander meets it while parsing flags or a command meets it
 * inside its action: `OptionValueError` is a UserError that also carries commander's
 * `commander.invalidArgument` code, so commander reports it as its own (one line, exit 2)
 * instead of letting it escape as an uncaught exception with a stack trace.
 *
 * Plain checks rather than a schema library: these run at start-up for every command, and a
 * number with bounds needs nothing more.
 */
import os from "node:os";
import { EXIT, UserError } from "../util/errors.js";

export class OptionValueError extends UserError {
  /** Commander treats errors with this code, thrown from an option parser, as invalid arguments. */
  readonly code = "commander.invalidArgument";
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = "OptionValueError";
  }
}

export interface NumberSpec {
  int?: boolean;
  /** inclusive bounds */
  min?: number;
  max?: number;
  /** exclusive lower bound (a fraction in (0, 1] has gt: 0, max: 1) */
  gt?: number;
}

function describe(spec: NumberSpec): string {
  const kind = spec.int ? "an integer" : "a number";
  const lo = spec.gt !== undefined ? `> ${spec.gt}` : spec.min !== undefined ? `>= ${spec.min}` : "";
  const hi = spec.max !== undefined ? `<= ${spec.max}` : "";
  if (spec.gt !== undefined && spec.max !== undefined) return `${kind} in (${spec.gt}, ${spec.max}]`;
  if (spec.min !== undefined && spec.max !== undefined) return `${kind} in [${spec.min}, ${spec.max}]`;
  return [kind, lo || hi].filter(Boolean).join(" ");
}

/** Checks one value; throws OptionValueError (exit 2) naming the option. */
export function parseNumberValue(name: string, value: string, spec: NumberSpec = {}): number {
  const s = String(value).trim();
  // Number("") is 0 and Number("0x10") is 16: accept only decimal (and exponent) notation.
  const n = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) ? Number(s) : NaN;
  const ok =
    Number.isFinite(n) &&
    (!spec.int || Number.isSafeInteger(n)) &&
    (spec.min === undefined || n >= spec.min) &&
    (spec.gt === undefined || n > spec.gt) &&
    (spec.max === undefined || n <= spec.max);
  if (!ok) throw new OptionValueError(`${name} must be ${describe(spec)}, got '${value}'`);
  return n;
}

/** A commander argument parser for a bounded number. */
export function numberOption(name: string, spec: NumberSpec = {}): (value: string) => number {
  return (value: string) => parseNumberValue(name, value, spec);
}

/** A repeatable numeric option: every value checked, all kept. */
export function numberListOption(name: string, spec: NumberSpec = {}): (value: string, prev?: number[]) => number[] {
  return (value: string, prev: number[] = []) => [...prev, parseNumberValue(name, value, spec)];
}

/** Common shapes. */
export const fractionOption = (name: string) => numberOption(name, { gt: 0, max: 1 });
export const countOption = (name: string, min = 0) => numberOption(name, { int: true, min });
/** Seeds are unsigned 32-bit (the RNGs seed from a uint32). */
export const seedOption = (name = "--seed") => numberOption(name, { int: true, min: 0, max: 0xffffffff });

/** A string option limited to a set of values (for options parsed outside commander's .choices()). */
export function choiceValue<T extends string>(name: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) throw new OptionValueError(`${name} must be one of ${choices.join(", ")}, got '${value}'`);
  return value as T;
}

/** Default worker threads: the machine's cores (results do not depend on the count). */
export function defaultThreads(): number {
  return Math.max(1, os.availableParallelism());
}
