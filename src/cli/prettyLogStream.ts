import * as pinoPretty from "pino-pretty";
import type { PrettyStream } from "pino-pretty";

/**
 * Human-readable log lines on stderr, formatted in this thread. Its own module so that only a
 * run on a terminal loads pino-pretty; imported as a namespace, which both Node and the bundler
 * resolve to the package's named exports.
 */
export function prettyStderr(): PrettyStream {
  return pinoPretty.build({ destination: 2, colorize: true, ignore: "pid,hostname" });
}
