/**
 * The datatailor program: one file per command under src/cli/, each exporting `register`.
 *
 * Start-up cost: a command's module pulls in its whole stack (DuckDB, Vega, BullMQ, ...), so
 * only the command being run is imported. `fasttext predict` loads only fastText's code;
 * `--help`, `help` and unknown commands load them all (to list them, or to suggest the closest name).
 */
import { Command } from "commander";
import { VERSION } from "../version.js";
import { EXIT } from "../util/errors.js";

type Register = (program: Command) => void;

/** Each command's registration, loaded on demand. Add a command here. */
export const COMMANDS: Record<string, () => Promise<Register>> = {
  demo: async () => (await import("./demo.js")).registerDemo,
  select: async () => (await import("./select.js")).registerSelect,
  fit: async () => (await import("./fit.js")).registerFit,
  predict: async () => (await import("./predict.js")).registerPredict,
  adapt: async () => (await import("./adapt.js")).registerAdapt,
  tune: async () => (await import("./tune.js")).registerTune,
  fasttext: async () => (await import("./fasttext.js")).registerFasttext,
  worker: async () => (await import("./worker.js")).registerWorker,
  merge: async () => (await import("./merge.js")).registerMerge,
  decontaminate: async () => (await import("./decontaminate.js")).registerDecontaminate,
  backends: async () => (await import("./backends.js")).registerBackends,
  lm: async () => (await import("./lm.js")).registerLm,
};

/** The command named on the command line (the first argument that is not an option), if any. */
export function commandName(argv: string[]): string | undefined {
  return argv.slice(2).find((a) => !a.startsWith("-"));
}

/** The program with the commands `argv` needs registered (all of them when `only` is undefined). */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command();
  program
    .name("datatailor")
    .description("Decide what to train a language model on, and what it will buy you.")
    .version(VERSION)
    // One line, as every other error: "datatailor: <reason> (see --help)".
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(`datatailor: ${s.replace(/^error: /, "").trimEnd()} (see --help)\n`),
    })
    // commander's own errors (unknown command or option, bad choice, missing argument, a bad
    // option value from src/cli/options.ts) are usage errors: exit 2 like ours, not commander's
    // 1; --help and --version still exit 0. Set before the commands are added, which inherit it.
    .exitOverride((err) => process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage));
  const names = only && only in COMMANDS ? [only] : Object.keys(COMMANDS);
  for (const register of await Promise.all(names.map((n) => COMMANDS[n]!()))) register(program);
  return program;
}

