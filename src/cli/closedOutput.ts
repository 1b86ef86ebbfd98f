/**
 * A reader that went away (`alacrity schema | head`) is not a failure worth a stack trace: the
 * output nobody reads any more is dropped and the process ends with the status it had so far.
 * Any other write error is still thrown.
 */
export function exitQuietlyOnClosedOutput(streams: readonly NodeJS.WriteStream[]): void {
  for (const stream of streams) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") throw err;
      process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
    });
  }
}
