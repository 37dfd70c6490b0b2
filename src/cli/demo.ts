import type { Command } from "commander";
import { action } from "./output.js";
import { UserError } from "./errors.js";

// Placeholder until the demo command lands; replaced by its owner.
export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("(not yet available)")
    .action(
      action(() => {
        throw new UserError("demo is not available in this build");
      }),
    );
}
