/**
 * System tools some tests compare against (Debian fasttext, redis-server, chromium, python3 with
 * scipy/xgboost). Locally a missing tool skips the test; with CI=true it fails, so CI can never
 * pass by skipping what it was meant to check.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export const IN_CI = process.env.CI === "true" || process.env.CI === "1";

export function hasTool(bin: string): boolean {
  if (bin.startsWith("/")) return existsSync(bin);
  try {
    execFileSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Debian's python3 (with python3-scipy, python3-xgboost), not a pyenv shim. */
export const DEBIAN_PYTHON = "/usr/bin/python3";

export function hasPythonModule(mod: string): boolean {
  try {
    execFileSync(DEBIAN_PYTHON, ["-c", `import ${mod}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns true when the tool is present. When it is missing: under CI throws (the test fails),
 * otherwise returns false so the caller can `skip`.
 */
export function requireTool(name: string, present: boolean): boolean {
  if (present) return true;
  if (IN_CI) throw new Error(`required system tool missing in CI: ${name} (install it in .ci/run)`);
  return false;
}
