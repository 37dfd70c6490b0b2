/**
 * Zstandard for .zst shards and Parquet pages, from the best source this machine has, so that a
 * default `npm ci` compiles nothing:
 *  - "native": libzstd in-process (zstd-napi, the on-demand `zstd` backend: `datatailor backends
 *    install zstd`), when installed;
 *  - "cli": the `zstd` command, when on PATH: streams through a child process, at libzstd's speed
 *    on another core;
 *  - "js": pure JS: fzstd decodes (~2-3x slower), and .zst is written stored (valid, uncompressed).
 * DATATAILOR_ZSTD=native|cli|js forces one (an error when it is not available here).
 */
import type { Writable } from "node:stream";
import { isMainThread } from "node:worker_threads";
import { UserError } from "../util/errors.js";
import { backendStatus, installCommand, loadOptional } from "../util/optional.js";
import { cliZstd, zstdCommandAvailable } from "./zstd-cli.js";
import { forcedZstdKind, type ZstdKind } from "./zstd-env.js";
import { jsZstd } from "./zstd-js.js";
import { nativeZstd, type ZstdNapi } from "./zstd-native.js";

export type { ZstdKind };

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

let chosen: Promise<ZstdCodec> | undefined;

/** The codec for this process (resolved once). */
export function zstdCodec(): Promise<ZstdCodec> {
  if (!chosen) {
    chosen = resolveCodec(process.env);
    chosen.catch(() => (chosen = undefined)); // a failure is not cached: the next call tries again
  }
  return chosen;
}

async function resolveCodec(env: NodeJS.ProcessEnv): Promise<ZstdCodec> {
  const forced = forcedZstdKind(env);
  if (forced === "native" || (!forced && backendStatus("zstd", env).source)) return nativeZstd(await loadOptional<ZstdNapi>("zstd", env));
  if (forced === "cli" || (!forced && zstdCommandAvailable())) {
    if (!zstdCommandAvailable()) throw new UserError("DATATAILOR_ZSTD=cli: the zstd command is not on PATH");
    return cliZstd;
  }
  if (!forced && isMainThread) {
    process.stderr.write(`datatailor: no libzstd here: .zst is read in pure JS (2-3x slower) and written uncompressed (stored blocks); install the zstd command or run: ${installCommand("zstd")}\n`);
  }
  return jsZstd;
}
