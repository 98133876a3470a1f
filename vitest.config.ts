import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30000,
    hookTimeout: 30000,
    // vitest's default is one worker fewer than the cores: one worker on a 2-core machine, where
    // most tests wait on git and node children and a core sits idle. One per core halves the wait.
    maxWorkers: Math.max(2, availableParallelism()),
    minWorkers: 1,
  },
});
