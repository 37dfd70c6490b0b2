/**
 * Where CLI text goes: results on stdout, logs on stderr. With --json, stdout carries
 * exactly one JSON document and everything human-readable moves to stderr.
 */
import { EXIT, UserError } from "../util/errors.js";

export function log(message: string): void {
  process.stderr.write(message.endsWith("\n") ? message : message + "\n");
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}

/** Wraps a command action: a thrown error becomes one line on stderr and a non-zero exit. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      process.exitCode = reportError(err);
    }
  };
}

/**
 * One line on stderr for any error, and its exit code: a UserError's own (2 usage, 3 bad input),
 * anything else 1. An internal failure is never reported as a usage error, whatever its class.
 * DATATAILOR_DEBUG=1 adds the stack.
 */
export function reportError(err: unknown): number {
  const code = err instanceof UserError ? err.exitCode : EXIT.failure;
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`datatailor: ${msg.split("\n")[0]}\n`);
  if (process.env.DATATAILOR_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + "\n");
  return code;
}
