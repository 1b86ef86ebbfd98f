/** Options of {@link eventually}. */
export interface PollOptions {
  /** Give up after this many milliseconds. Default 30 s. */
  timeoutMs?: number;
  /** Pause between attempts, in milliseconds. Default 200. */
  intervalMs?: number;
  /** Says what was awaited, for the timeout error; a function is asked when time runs out. */
  what?: string | (() => string);
  /** Checked before each attempt: a reason returned ends the wait at once (the process exited). */
  giveUpIf?: () => string | undefined | false;
}

/**
 * The tests' one way to wait for something: calls `check` until it returns a value other than
 * `undefined`, `null` or `false`, then returns that value. A check that throws counts as "not yet"
 * (a daemon that is still starting refuses connections); the last error is quoted if time runs
 * out. Bounded by `timeoutMs`.
 */
export async function eventually<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: PollOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 200;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const giveUp = options.giveUpIf?.();
    if (giveUp) throw new Error(giveUp);
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() + intervalMs > deadline) {
      const what = typeof options.what === "function" ? options.what() : (options.what ?? "the condition");
      const cause = lastError instanceof Error ? `; last error: ${lastError.message}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
