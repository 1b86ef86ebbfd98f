import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { ExitError, INTERNAL_ERROR_EXIT } from "../../../src/cli/exitError.js";
import { runCli } from "../../../src/cli/runCli.js";

function programThatThrows(error: unknown): Command {
  const program = new Command("alacrity").exitOverride();
  program.command("boom").action(() => {
    throw error;
  });
  return program;
}

async function run(error: unknown): Promise<{ code: number; output: string }> {
  let output = "";
  const code = await runCli(programThatThrows(error), ["node", "alacrity", "boom"], (text) => {
    output += text;
  });
  return { code, output };
}

afterEach(() => {
  delete process.env["ALACRITY_DEBUG"];
});

describe("runCli", () => {
  it("returns 0 when the command succeeds", async () => {
    const program = new Command("alacrity").exitOverride();
    program.command("ok").action(() => undefined);
    expect(await runCli(program, ["node", "alacrity", "ok"], () => undefined)).toBe(0);
  });

  it("prints an ExitError's message and exits with its code", async () => {
    expect(await run(new ExitError(2, "changes pending"))).toEqual({ code: 2, output: "changes pending\n" });
    expect(await run(new ExitError(1))).toEqual({ code: 1, output: "" });
  });

  it("prints each line of a message of several lines, a newline inside one escaped", async () => {
    const { output } = await run(new ExitError(1, ["cannot read a\nb", "  hint"]));
    expect(output).toBe("cannot read a\\nb\n  hint\n");
  });

  it("reports anything else as an internal error, without the stack by default", async () => {
    const { code, output } = await run(new TypeError("x is undefined"));
    expect(code).toBe(INTERNAL_ERROR_EXIT);
    expect(output).toContain("alacrity: internal error: x is undefined\n");
    expect(output).not.toContain("at ");
  });

  it("adds the stack with ALACRITY_DEBUG=1", async () => {
    process.env["ALACRITY_DEBUG"] = "1";
    const { output } = await run(new Error("kaput"));
    expect(output).toMatch(/internal error: kaput\nError: kaput\n\s+at /);
  });
});
