import type { Command } from "commander";
import { action } from "./output.js";
import { UserError } from "./errors.js";

// Placeholder until the select command lands; replaced by its owner.
export function registerSelect(program: Command): void {
  program
    .command("select")
    .description("(not yet available)")
    .action(
      action(() => {
        throw new UserError("select is not available in this build");
      }),
    );
}
