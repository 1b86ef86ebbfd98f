import { CommanderError } from "commander";
import type { Command } from "commander";
import { printable } from "../manifest/format.js";
import { ExitError, INTERNAL_ERROR_EXIT } from "./exitError.js";

/**
 * Runs the program and returns the exit status: the one place where failures are turned into
 * output. Expected ones (ExitError) print their message; anything else is a bug.
 */
export async function runCli(
  program: Command,
  argv: readonly string[],
  stderr: (text: string) => void = (text) => process.stderr.write(text),
): Promise<number> {
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof ExitError) {
      for (const line of error.lines) stderr(`${printable(line)}\n`);
      return error.code;
    }
    // commander has already printed its own message (usage errors, --help, --version).
    if (error instanceof CommanderError) return error.exitCode;
    const message = error instanceof Error ? error.message : String(error);
    stderr(`alacrity: internal error: ${printable(message)}\n`);
    if (process.env["ALACRITY_DEBUG"] === "1" && error instanceof Error && error.stack) {
      stderr(`${error.stack}\n`);
    } else {
      stderr("(run with ALACRITY_DEBUG=1 for the stack trace, and please report it)\n");
    }
    return INTERNAL_ERROR_EXIT;
  }
}
