/**
 * Transparent huge pages for the commands that build or load large n-gram models. Their tables
 * are hundreds of MB touched at random; with 4 KB pages nearly every touch also misses the TLB
 * (on a virtual machine, a nested page walk). KenLM asks the kernel for huge pages (madvise);
 * Node cannot, but glibc (2.35 and later) asks for its large allocations, where V8 keeps typed
 * arrays, when the process starts with GLIBC_TUNABLES=glibc.malloc.hugetlb=1. glibc reads that
 * at start-up only, so such a command runs itself once more with it: same arguments, stdin,
 * stdout and stderr, the child's exit code; SIGINT, SIGTERM and SIGHUP are passed on.
 * Measured on the bench corpus (npm run bench -- lm): `lm train -o 5` used about 20% less CPU,
 * the load of a 614 MB ARPA about 18% less.
 * `lm score` and `select` do the same for an `--lm ngram:<file>` model (perplexity selection
 * with a CCNet-sized model).
 * Only where it can work: Linux with glibc ≥ 2.35 and huge pages in "madvise" mode (Debian's
 * default; "always" needs nothing, "never" allows nothing). DATATAILOR_HUGEPAGES=0 turns it off,
 * =1 forces it whatever the input's size (for tests).
 */
import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import os from "node:os";
import { usageError } from "../util/errors.js";
import { parseLmSpec } from "../backends/lm/index.js";

const TUNABLE = "glibc.malloc.hugetlb=1";
/**
 * Below these sizes the tables are small enough that a second start costs more than it saves:
 * an ARPA model's bytes, a training text's (whose n-gram arrays are some 25 times larger).
 */
export const HUGE_PAGES_MIN_MODEL_BYTES = 64 << 20;
export const HUGE_PAGES_MIN_TEXT_BYTES = 16 << 20;

function glibcAtLeast(version: string | undefined, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version ?? "");
  return m !== null && (Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor));
}

/** Whether to run again with huge pages, for an input of `bytes` (`min`: the size from which it pays). */
export function wantsHugePages(bytes: number, min: number, env: NodeJS.ProcessEnv = process.env): boolean {
  const flag = env.DATATAILOR_HUGEPAGES;
  if (flag !== undefined && flag !== "" && flag !== "0" && flag !== "1") throw usageError(`DATATAILOR_HUGEPAGES must be 0 or 1, got '${flag}'`);
  if (process.platform !== "linux" || flag === "0") return false;
  // set already: by the run that started this one, or by the user
  if ((env.GLIBC_TUNABLES ?? "").includes("glibc.malloc.hugetlb")) return false;
  if (flag === "1") return true;
  if (bytes < min) return false;
  let mode: string;
  try {
    mode = readFileSync("/sys/kernel/mm/transparent_hugepage/enabled", "utf8");
  } catch {
    return false;
  }
  if (!mode.includes("[madvise]")) return false;
  const header = (process.report.getReport() as unknown as { header: { glibcVersionRuntime?: string } }).header;
  return glibcAtLeast(header.glibcVersionRuntime, 2, 35);
}

/** Size of a file, 0 when it cannot be read (the command's own read then names the problem). */
export function fileBytes(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * About how large the n-gram model of an `--lm ngram:<file>` spec is once loaded: the ARPA's
 * size, four times a gzipped one's; 0 for other schemes (their models live elsewhere).
 */
export function ngramSpecBytes(spec: string | undefined): number {
  if (spec === undefined) return 0;
  let parsed;
  try {
    parsed = parseLmSpec(spec);
  } catch {
    return 0; // a bad spec: the command reports it
  }
  if (parsed.scheme !== "ngram") return 0;
  return fileBytes(parsed.arg) * (parsed.arg.endsWith(".gz") ? 4 : 1);
}

const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Runs this command again with huge pages and waits for it; the caller does nothing more. This
 * process then exits as the child did: its exit code, or the signal that ended it.
 */
export async function rerunWithHugePages(): Promise<void> {
  const tunables = process.env.GLIBC_TUNABLES ? `${process.env.GLIBC_TUNABLES}:${TUNABLE}` : TUNABLE;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, GLIBC_TUNABLES: tunables },
  });
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  const handlers = FORWARDED.map((sig) => [sig, forward(sig)] as const);
  for (const [sig, h] of handlers) process.on(sig, h);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (c, s) => resolve([c, s]));
  });
  for (const [sig, h] of handlers) process.off(sig, h);
  if (signal) {
    // die as the child did; where Node ignores that signal (SIGPIPE), the shell's code for it
    process.exitCode = 128 + (os.constants.signals[signal] ?? 0);
    process.kill(process.pid, signal);
  } else process.exitCode = code ?? 1;
}
