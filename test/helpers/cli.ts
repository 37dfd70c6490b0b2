/** Runs the datatailor CLI from TypeScript sources, as a user would run the built binary. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/**
 * The workplace's read-only test data: $DATATAILOR_SHARED_DATA, else ../shared/data beside the
 * checkout, else /work/shared/data (a clone made elsewhere on the machine).
 */
export const SHARED_DATA =
  process.env.DATATAILOR_SHARED_DATA ?? [path.resolve(ROOT, "../shared/data"), "/work/shared/data"].find((d) => existsSync(d)) ?? path.resolve(ROOT, "../shared/data");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "src/cli/main.ts"), ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, DATATAILOR_NO_PROGRESS: "1", ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}
