import { defineConfig } from "vitest/config";

// Two projects: unit tests are pure and in-memory; integration tests talk to a real Docker Swarm
// (see .ci/run) and run one file at a time so that they never race for the same services.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/support/buildOnce.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
