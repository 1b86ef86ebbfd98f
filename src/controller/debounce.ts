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
 * `onBurstStart` runs at the first event of each burst.
 */
export function debounce(
  fn: () => void,
  options: { quietMs: number; maxWaitMs: number; onBurstStart?: () => void },
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
      if (burstStart === undefined) {
        burstStart = now;
        options.onBurstStart?.();
      }
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
