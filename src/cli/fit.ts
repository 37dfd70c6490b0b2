import type { Command } from "commander";
import { action } from "./output.js";
import { UserError } from "./errors.js";

// Placeholder until the fit command lands; replaced by its owner.
export function registerFit(program: Command): void {
  program
    .command("fit")
    .description("(not yet available)")
    .action(
      action(() => {
        throw new UserError("fit is not available in this build");
      }),
    );
}
