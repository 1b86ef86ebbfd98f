/** Whatever the clock's `setTimeout` returns; only ever handed back to its `clearTimeout`. */
export type TimerHandle = unknown;

/**
 * Time, injected wherever code waits or measures, so that tests drive it by hand
 * (test/support/manualClock.ts) and assert the exact delays instead of sleeping. The planner
 * takes no clock: it is given `now` as a value.
 */
export interface Clock {
  /** Milliseconds; the difference of two readings is the time that passed between them. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The process's own timers and the wall clock (`now` is epoch milliseconds). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Like `systemClock`, but its timers never keep the process alive (background polling). */
export const backgroundClock: Clock = { ...systemClock, setTimeout: (fn, ms) => setTimeout(fn, ms).unref() };

/**
 * The process's timers with a `now` that never jumps when the wall clock is set: for intervals
 * that must hold even then (a lease's expiry). Its readings are not epoch times.
 */
export const monotonicClock: Clock = { ...systemClock, now: () => performance.now() };

/** Resolves after `ms` on `clock`. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}
