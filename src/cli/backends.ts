/**
 * `datatailor backends list|install <name>`: the heavy optional backends (node-llama-cpp for
 * gguf:, ...) that a default `npm ci` leaves out, installed on demand into a directory datatailor
 * owns (see src/util/optional.ts).
 */
import type { Command } from "commander";
import { action, log, printJson } from "./output.js";
import { usageError } from "../util/errors.js";
import { BACKENDS, backendNames, backendStatus, installBackend, isBackendName, type BackendName } from "../util/optional.js";

export function registerBackends(program: Command): void {
  const cmd = program.command("backends").description("List or install the optional heavy backends (gguf, transformers, duckdb) that `npm ci` leaves out");

  cmd
    .command("list")
    .description("Show each optional backend, its pinned version and where it is installed")
    .option("--json", "print a JSON summary on stdout")
    .action(
      action(async (flags: { json?: boolean }) => {
        const all = backendNames().map((n) => ({ ...backendStatus(n), purpose: BACKENDS[n].purpose }));
        if (flags.json) return printJson({ backends: all });
        for (const b of all) {
          const where = b.source === null ? `not installed (datatailor backends install ${b.name})` : `${b.installedVersion} from ${b.source === "backends-dir" ? b.dir : "node_modules"}`;
          process.stdout.write(`${b.name}\t${b.pkg}@${b.pinned}\t${where}\t${b.purpose}\n`);
        }
      }),
    );

  cmd
    .command("install")
    .description("Install an optional backend's pinned package into $DATATAILOR_BACKENDS_DIR/<name> (default ~/.cache/datatailor/backends/<name>)")
    .argument("<name...>", `backend(s): ${backendNames().join(", ")}`)
    .option("--json", "print a JSON summary on stdout")
    .action(
      action(async (names: string[], flags: { json?: boolean }) => {
        for (const n of names) if (!isBackendName(n)) throw usageError(`unknown backend '${n}'; use one of ${backendNames().join(", ")}`);
        const done = [];
        for (const n of names as BackendName[]) {
          const b = BACKENDS[n];
          log(`installing ${b.pkg}@${b.version} for ${b.purpose} ...`);
          const started = Date.now();
          const st = await installBackend(n, { log: (s) => void process.stderr.write(s) });
          const seconds = (Date.now() - started) / 1000;
          log(`installed ${b.pkg}@${st.installedVersion} into ${st.dir} in ${seconds.toFixed(1)} s`);
          done.push({ ...st, seconds });
        }
        if (flags.json) printJson({ installed: done });
      }),
    );
}
