#!/usr/bin/env node
/**
 * datatailor CLI entry. Start-up cost matters (shell loops call `fasttext predict`), so
 * `--version` answers before any command is loaded and program.ts imports only the command run
 * (new commands are added to COMMANDS in program.ts).
 */
import { VERSION } from "../version.js";
import { buildProgram, commandName } from "./program.js";
import { reportError } from "./output.js";

const argv = process.argv;
const isVersion = argv.length === 3 && (argv[2] === "--version" || argv[2] === "-V");
if (isVersion) process.stdout.write(VERSION + "\n");
else {
  const name = commandName(argv);
  try {
    (await import("../io/zstd-env.js")).forcedZstdKind(); // a bad DATATAILOR_ZSTD is a usage error before any work
    await (await buildProgram(name === "help" ? undefined : name)).parseAsync(argv);
  } catch (err) {
    // Commands report their own errors (output.ts action()); this catches what escapes parsing.
    process.exitCode = reportError(err);
  }
}
