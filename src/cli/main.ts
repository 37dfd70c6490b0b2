#!/usr/bin/env node
/**
 * datatailor CLI entry: one file per command under src/cli/, each exporting `register`.
 */
import { Command } from "commander";
import { VERSION } from "../version.js";
import { EXIT } from "../util/errors.js";
import { registerFasttext } from "./fasttext.js";
import { registerSelect } from "./select.js";
import { registerDemo } from "./demo.js";
import { registerWorker } from "./worker.js";
import { registerMerge } from "./merge.js";
import { registerFit } from "./fit.js";
import { registerPredict } from "./predict.js";
import { registerTune } from "./tune.js";
import { registerBackends } from "./backends.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("datatailor")
    .description("Decide what to train a language model on, and what it will buy you.")
    .version(VERSION)
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    // commander's own errors (unknown command or option, bad choice, missing argument) are
    // usage errors: exit 2 like ours, not commander's 1; --help and --version still exit 0.
    // Set before the commands are added, which inherit it.
    .exitOverride((err) => process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage));
  registerDemo(program);
  registerSelect(program);
  registerFit(program);
  registerPredict(program);
  registerTune(program);
  registerFasttext(program);
  registerWorker(program);
  registerMerge(program);
  registerBackends(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
