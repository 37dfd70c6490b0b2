import type { Command } from "commander";
import { action } from "./output.js";
import { UserError } from "./errors.js";

// Placeholder until the worker command lands; replaced by its owner.
export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("(not yet available)")
    .action(
      action(() => {
        throw new UserError("worker is not available in this build");
      }),
    );
}
