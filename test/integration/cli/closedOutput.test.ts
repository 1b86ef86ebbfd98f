import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { CLI } from "../../support/cli.js";

/** Runs the CLI with its stdout already closed by the reader, as `alacrity ... | head` does. */
function runWithClosedStdout(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("output to a reader that went away (`alacrity ... | head`)", () => {
  it.each([{ command: "validate --help" }, { command: "schema" }])(
    "$command ends quietly, without a stack trace",
    async ({ command }) => {
      const result = await runWithClosedStdout(command.split(" "));
      expect(result.stderr).not.toMatch(/EPIPE|Unhandled|at .*\(node:/);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
    },
  );

  it("still says on stderr that it failed, and fails (positive control of the quiet exit)", async () => {
    const result = await runWithClosedStdout(["validate", "/nonexistent-alacrity-dir-for-test"]);
    expect(result.stderr).not.toMatch(/EPIPE/);
    expect(result.stderr).toMatch(/1 error/);
    expect(result.code).not.toBe(0);
  });
});
