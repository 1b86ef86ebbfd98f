import { systemClock, type Clock } from "../domain/clock.js";

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
  clock: Clock = systemClock,
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
      const now = clock.now();
      if (burstStart === undefined) {
        burstStart = now;
        options.onBurstStart?.();
      }
      if (handle !== undefined) clock.clearTimeout(handle);
      const due = Math.min(now + options.quietMs, burstStart + options.maxWaitMs);
      handle = clock.setTimeout(fire, Math.max(0, due - now));
    },
    cancel() {
      if (handle !== undefined) clock.clearTimeout(handle);
      handle = undefined;
      burstStart = undefined;
    },
  };
}
