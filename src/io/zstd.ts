/**
 * Zstandard for .zst shards and Parquet pages, from the best source this machine has, so that a
 * default `npm ci` compiles nothing:
 *  - "native": libzstd in-process (zstd-napi, the on-demand `zstd` backend: `datatailor backends
 *    install zstd`), when installed;
 *  - "cli": the `zstd` command, when on PATH: streams through a child process, at libzstd's speed
 *    on another core;
 *  - "js": fzstd, pure JS: decoding only, ~5x slower; writing .zst needs one of the others.
 * DATATAILOR_ZSTD=native|cli|js forces one (an error when it is not available here).
 */
import type { Writable } from "node:stream";
import { isMainThread } from "node:worker_threads";
import { EXIT, UserError } from "../util/errors.js";
import { backendStatus, installCommand, loadOptional } from "../util/optional.js";
import { cliZstd, zstdCommandAvailable } from "./zstd-cli.js";
import { jsZstd } from "./zstd-js.js";
import { nativeZstd, type ZstdNapi } from "./zstd-native.js";

export type ZstdKind = "native" | "cli" | "js";

export interface ZstdCodec {
  readonly kind: ZstdKind;
  /** The decompressed bytes of a .zst file, in chunks, memory bounded; throws StreamError. */
  fileChunks(path: string): AsyncGenerator<Buffer>;
  /** A writable whose bytes arrive compressed in `out`; a failure destroys `out` with the error. */
  compressTo(out: Writable, level: number): Writable;
  /** One Parquet page of known decompressed size. */
  decompressPage(input: Uint8Array, outputLength: number): Uint8Array;
  /**
   * One Parquet page, compressed: only in-process libzstd. A child process per page costs more
   * than the page (~60 ms each: 6x slower Parquet writes), so without it Parquet is written with
   * SNAPPY, pyarrow's default.
   */
  compressPage?(input: Uint8Array, level: number): Uint8Array;
}

const KINDS: readonly ZstdKind[] = ["native", "cli", "js"];

/** Why writing needs more than the pure-JS decoder, and the two ways to get it. */
export function noEncoderMessage(): string {
  return `writing Zstandard needs the zstd command (e.g. apt-get install zstd) or the native backend (${installCommand("zstd")}); this machine has neither`;
}

let chosen: Promise<ZstdCodec> | undefined;

/** The codec for this process (resolved once). */
export function zstdCodec(): Promise<ZstdCodec> {
  chosen ??= resolveCodec(process.env);
  chosen.catch(() => (chosen = undefined));
  return chosen;
}

/** The codec, when it can also compress; otherwise a one-line error naming the two remedies. */
export async function zstdEncoder(): Promise<ZstdCodec> {
  const codec = await zstdCodec();
  if (codec.kind === "js") throw new UserError(noEncoderMessage());
  return codec;
}

async function resolveCodec(env: NodeJS.ProcessEnv): Promise<ZstdCodec> {
  const forced = env.DATATAILOR_ZSTD?.trim() || undefined;
  if (forced !== undefined && !KINDS.includes(forced as ZstdKind)) throw new UserError(`DATATAILOR_ZSTD=${forced}: expected one of ${KINDS.join(", ")}`, EXIT.usage);
  if (forced === "native" || (!forced && backendStatus("zstd", env).source)) return nativeZstd(await loadOptional<ZstdNapi>("zstd", env));
  if (forced === "cli" || (!forced && zstdCommandAvailable())) {
    if (!zstdCommandAvailable()) throw new UserError("DATATAILOR_ZSTD=cli: the zstd command is not on PATH");
    return cliZstd;
  }
  if (!forced && isMainThread) {
    process.stderr.write(`datatailor: .zst is decoded in pure JS here (~5x slower than libzstd); for full speed install the zstd command or run: ${installCommand("zstd")}\n`);
  }
  return jsZstd;
}
