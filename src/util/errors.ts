/**
 * Exit codes scripts can trust. 0 = success, 1 = runtime failure,
 * 2 = usage error (bad flags or arguments), 3 = bad input data under --strict.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, badInput: 3 } as const;

/** An error whose message is meant for the user as a single line, with a chosen exit code. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = "UserError";
  }
}

export function usageError(message: string): UserError {
  return new UserError(message, EXIT.usage);
}
