import type { Command } from "commander";
import { action } from "./output.js";
import { UserError } from "./errors.js";

// Placeholder until the predict command lands; replaced by its owner.
export function registerPredict(program: Command): void {
  program
    .command("predict")
    .description("(not yet available)")
    .action(
      action(() => {
        throw new UserError("predict is not available in this build");
      }),
    );
}
