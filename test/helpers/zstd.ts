/**
 * Zstandard for test fixtures and checks, through the `zstd` command: an independent peer of
 * src/io/zstd*.ts (never the code under test). Debian's `zstd` package; .ci/run installs it, and a
 * missing command fails the test that needs it (locally and under CI alike).
 */
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";

function zstd(args: string[], input: Uint8Array): Buffer {
  const r = spawnSync("zstd", ["-q", "-c", ...args], { input, maxBuffer: 1 << 30 });
  if (r.error) throw new Error(`the zstd command is needed by this test (apt-get install zstd): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`zstd ${args.join(" ")} exited with ${r.status}: ${String(r.stderr).trim()}`);
  return r.stdout;
}

export function compress(input: Uint8Array, opts: { compressionLevel?: number } = {}): Buffer {
  return zstd([`-${opts.compressionLevel ?? 3}`], input);
}

export function decompress(input: Uint8Array): Buffer {
  return zstd(["-d"], input);
}

/** A writable whose bytes are compressed into `file`; `closed` resolves when the file is complete. */
export function compressToFile(file: string, level = 3): { stream: Writable; closed: Promise<void> } {
  const child = spawn("zstd", ["-q", "-c", `-${level}`], { stdio: ["pipe", "pipe", "inherit"] });
  const out = createWriteStream(file);
  child.stdout.pipe(out);
  const exited = once(child, "close").then(([code]) => {
    if (code !== 0) throw new Error(`zstd exited with ${code}`);
  });
  const closed = Promise.all([exited, once(out, "close")]).then(() => undefined);
  return { stream: child.stdin, closed };
}
