/**
 * Zstandard through the `zstd` command: a child process per stream, so decoding runs at
 * libzstd's speed on another core while this one parses. Parquet pages are decoded in process
 * (the pure-JS codec's fzstd: a process per page would cost more than it saves) and not encoded
 * (see compressPage).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { stat } from "node:fs/promises";
import type { Writable } from "node:stream";
import { StreamError } from "./stream-error.js";
import { jsZstd } from "./zstd-js.js";
import type { ZstdCodec } from "./zstd.js";

const BIN = "zstd";
/** How much of the command's stderr is kept for the message. (Flags: -q only; --no-progress is
 * newer than some distributions' zstd, and with stderr a pipe no progress is drawn anyway.) */
const STDERR_KEEP = 4096;

let available: boolean | undefined;

export function zstdCommandAvailable(): boolean {
  available ??= spawnSync(BIN, ["--version"], { stdio: "ignore" }).status === 0;
  return available;
}

/** zstd's own words for a stream cut short, a damaged one, and a file it could not open. */
function classify(stderr: string, code: number | null, signal: NodeJS.Signals | null): StreamError {
  const msg = stderr.trim().split("\n").pop()?.replace(/^zstd:\s*/, "") || (signal ? `killed by ${signal}` : `exit code ${code}`);
  if (/premature end|truncated|unexpected end/i.test(stderr)) return new StreamError("truncated", `zstd stream is truncated (${msg})`);
  if (/No such file|Permission denied|Is a directory|can't open|cannot open/i.test(stderr) || signal) return new StreamError("io", msg);
  return new StreamError("corrupt", `zstd stream is corrupt (${msg})`);
}

/** The last STDERR_KEEP characters the child wrote to stderr, read when needed. */
function stderrTail(child: ChildProcess): () => string {
  let tail = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (s: string) => (tail = (tail + s).slice(-STDERR_KEEP)));
  return () => tail;
}

async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  // an empty file holds no frame: empty, as libzstd and fzstd read it (the command calls it truncated)
  if ((await stat(path)).size === 0) return;
  const child = spawn(BIN, ["-d", "-c", "-q", "--", path], { stdio: ["ignore", "pipe", "pipe"] });
  const stderr = stderrTail(child);
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve([code, signal]));
  });
  let finished = false;
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    const [code, signal] = await exited;
    finished = true;
    if (code !== 0) throw classify(stderr(), code, signal);
  } finally {
    // the reader stopped early (or failed): this process is ours, stop it by its pid
    if (!finished && child.exitCode === null) child.kill();
  }
}

export const cliZstd: ZstdCodec = {
  kind: "cli",
  fileChunks,
  compressTo(out: Writable, level: number): Writable {
    // checksum on, as zstd writes by default: a damaged output is caught when read back
    const child = spawn(BIN, ["-c", "-q", `-${level}`], { stdio: ["pipe", "pipe", "pipe"] });
    const stderr = stderrTail(child);
    child.once("error", (e) => out.destroy(e));
    child.stdin.on("error", (e) => out.destroy(e));
    child.stdout.pipe(out);
    child.once("close", (code, signal) => {
      const said = stderr().trim();
      if (code !== 0) out.destroy(new Error(`zstd ${signal ? `was killed by ${signal}` : `exited with ${code}`}${said ? `: ${said.split("\n").pop()}` : ""}`));
    });
    return child.stdin;
  },
  decompressPage: jsZstd.decompressPage,
};
