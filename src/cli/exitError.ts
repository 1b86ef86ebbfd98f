/**
 * An expected way for a command to end: main.ts prints `message` (when not empty) to stderr
 * and exits with `code`. Anything else thrown is a bug and reported as an internal error.
 */
export class ExitError extends Error {
  readonly code: number;

  constructor(code: number, message = "") {
    super(message);
    this.name = "ExitError";
    this.code = code;
  }
}

/** Exit status for bugs (sysexits' EX_SOFTWARE), distinct from the contract's 0/1/2. */
export const INTERNAL_ERROR_EXIT = 70;
