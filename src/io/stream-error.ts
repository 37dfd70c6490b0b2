/** A byte stream that could not be read to its end, with why: the reader counts it as bad input. */
export class StreamError extends Error {
  constructor(
    readonly kind: "truncated" | "corrupt" | "io",
    message: string,
  ) {
    super(message);
    this.name = "StreamError";
  }
}
