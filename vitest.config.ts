import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Two cores: tests that spawn workers or servers must not all run at once.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
