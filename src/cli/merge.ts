import type { Command } from "commander";
import { action } from "./output.js";
import { UserError } from "./errors.js";

// Placeholder until the merge command lands; replaced by its owner.
export function registerMerge(program: Command): void {
  program
    .command("merge")
    .description("(not yet available)")
    .action(
      action(() => {
        throw new UserError("merge is not available in this build");
      }),
    );
}
