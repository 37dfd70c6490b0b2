/** DATATAILOR_ZSTD: which zstd codec to force (src/io/zstd.ts); checked by the CLI before any work. */
import { EXIT, UserError } from "../util/errors.js";

export type ZstdKind = "native" | "cli" | "js";
const KINDS: readonly ZstdKind[] = ["native", "cli", "js"];

/** The forced codec, undefined when unset; a usage error when it names none. */
export function forcedZstdKind(env: NodeJS.ProcessEnv = process.env): ZstdKind | undefined {
  const forced = env.DATATAILOR_ZSTD?.trim() || undefined;
  if (forced !== undefined && !KINDS.includes(forced as ZstdKind)) throw new UserError(`DATATAILOR_ZSTD=${forced}: expected one of ${KINDS.join(", ")}`, EXIT.usage);
  return forced as ZstdKind | undefined;
}
