import pino from "pino";
import type { Logger } from "pino";

/**
 * Logs go to stderr (stdout is for command output, e.g. `--output json`): JSON lines by default,
 * human-readable when stderr is a terminal. `ALACRITY_LOG_LEVEL` sets the level (default info).
 * Env values are never logged: plans redact them when serialised, and `redact` below guards the
 * paths where an env map could still appear.
 */
export async function createLogger(options: { pretty?: boolean; level?: string } = {}): Promise<Logger> {
  const level = options.level ?? process.env.ALACRITY_LOG_LEVEL ?? "info";
  const pretty = options.pretty ?? process.stderr.isTTY;
  const redact = { paths: ["env", "*.env", "fields.env", "*.fields.env"], censor: "(redacted)" };
  if (pretty) {
    // In this thread rather than as a pino transport: a transport's worker is found by file path,
    // which the bundled binary does not have. Loaded only for a terminal.
    const { prettyStderr } = await import("./prettyLogStream.js");
    return pino({ level, redact }, prettyStderr());
  }
  // Asynchronous: lines logged while a write is under way go out together in the next one (a
  // cold apply of 1000 apps logged 1000 lines in 1000 blocking writes, ~0.35 s). pino flushes
  // what is left when the process exits, process.exit included.
  return pino({ level, redact }, pino.destination({ fd: 2, sync: false }));
}
