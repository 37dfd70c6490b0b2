import type { Command } from "commander";
import { action } from "./output.js";
import { UserError } from "./errors.js";

// Placeholder until the fasttext command lands; replaced by its owner.
export function registerFasttext(program: Command): void {
  program
    .command("fasttext")
    .description("(not yet available)")
    .action(
      action(() => {
        throw new UserError("fasttext is not available in this build");
      }),
    );
}
