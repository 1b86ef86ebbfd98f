/**
 * An expected way for a command to end: main.ts prints `message` (when not empty) to stderr
 * and exits with `code`. Anything else thrown is a bug and reported as an internal error.
 * A message of several lines is given as a list: each line is made printable on its own, so a
 * newline inside one (from a file name or Docker's text) is shown escaped, never as a new line.
 */
export class ExitError extends Error {
  readonly code: number;
  readonly lines: readonly string[];

  constructor(code: number, message: string | readonly string[] = "") {
    const lines = typeof message === "string" ? (message ? [message] : []) : message;
    super(lines.join("\n"));
    this.name = "ExitError";
    this.code = code;
    this.lines = lines;
  }
}

/** Exit status for bugs (sysexits' EX_SOFTWARE), distinct from the contract's 0/1/2. */
export const INTERNAL_ERROR_EXIT = 70;
