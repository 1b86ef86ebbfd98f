/** Timer functions, injected so tests can drive time by hand. */
export interface TimerFunctions {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  now: () => number;
}

export const realTimers: TimerFunctions = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: Date.now,
};

export interface Debouncer {
  /** Records one event; `fn` runs once the events stop for `quietMs`, or `maxWaitMs` after the first. */
  trigger(): void;
  /** Drops a pending call. */
  cancel(): void;
}

/**
 * Trailing debounce with a maximum wait: a `git checkout` that rewrites hundreds of files becomes
 * one call, and a directory that never stops changing is still reloaded at least every `maxWaitMs`.
 */
export function debounce(
  fn: () => void,
  options: { quietMs: number; maxWaitMs: number },
  timers: TimerFunctions = realTimers,
): Debouncer {
  let handle: unknown;
  let burstStart: number | undefined;
  const fire = () => {
    handle = undefined;
    burstStart = undefined;
    fn();
  };
  return {
    trigger() {
      const now = timers.now();
      burstStart ??= now;
      if (handle !== undefined) timers.clearTimeout(handle);
      const due = Math.min(now + options.quietMs, burstStart + options.maxWaitMs);
      handle = timers.setTimeout(fire, Math.max(0, due - now));
    },
    cancel() {
      if (handle !== undefined) timers.clearTimeout(handle);
      handle = undefined;
      burstStart = undefined;
    },
  };
}
