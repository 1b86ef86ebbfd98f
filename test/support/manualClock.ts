import type { Clock, TimerHandle } from "../../src/domain/clock.js";

interface Timer {
  due: number;
  /** Orders timers due at the same time by when they were set. */
  seq: number;
  ms: number;
  fn: () => void;
  owner: ManualClock | ClockScope;
}

/** Lets pending promise callbacks (and what they schedule with `setImmediate`) run. */
export async function flushPromises(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * The one fake clock of the unit tests: time moves only when the test calls `advance`, timers fire
 * in due order at their own due time, and every requested delay is recorded, so a test asserts
 * backoff delays exactly instead of sleeping.
 */
export class ManualClock implements Clock {
  #now: number;
  #timers: Timer[] = [];
  #seq = 0;
  readonly #dead = new Set<ClockScope>();
  /** Every delay asked of `setTimeout` (by this clock and its scopes), in order. */
  readonly delays: number[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.#add(fn, ms, this);
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t !== handle);
  }

  /** Delays of the timers still pending, in the order they were set. */
  pendingDelays(): number[] {
    return this.#live().map((t) => t.ms);
  }

  get pending(): number {
    return this.#live().length;
  }

  /**
   * A clock on this one's time whose timers `kill()` silences for good, as a process that is
   * gone (SIGKILL): several simulated processes then share one time line.
   */
  scope(): ClockScope {
    return new ClockScope(
      this,
      (fn, ms, owner) => this.#add(fn, ms, owner),
      (scope) => this.#dead.add(scope),
    );
  }

  /** Moves time forward by `ms`, firing every timer that falls due (also ones set on the way). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (let next = this.#next(end); next; next = this.#next(end)) this.#fire(next);
    this.#now = end;
  }

  /** Like `advance`, letting promises settle before each timer fires and at the end. */
  async advanceAsync(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await flushPromises();
      const next = this.#next(end);
      if (!next) break;
      this.#fire(next);
    }
    this.#now = end;
    await flushPromises();
  }

  #add(fn: () => void, ms: number, owner: Timer["owner"]): TimerHandle {
    const timer: Timer = { due: this.#now + Math.max(0, ms), seq: this.#seq++, ms, fn, owner };
    this.delays.push(ms);
    this.#timers.push(timer);
    return timer;
  }

  #live(): Timer[] {
    return this.#timers.filter((t) => !(t.owner instanceof ClockScope && this.#dead.has(t.owner)));
  }

  #next(end: number): Timer | undefined {
    return this.#live()
      .filter((t) => t.due <= end)
      .sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
  }

  #fire(timer: Timer): void {
    this.#timers = this.#timers.filter((t) => t !== timer);
    this.#now = Math.max(this.#now, timer.due);
    timer.fn();
  }
}

/** A view of a `ManualClock` for one simulated process (see `ManualClock.scope`). */
export class ClockScope implements Clock {
  readonly #clock: ManualClock;
  readonly #add: (fn: () => void, ms: number, owner: ClockScope) => TimerHandle;
  readonly #kill: (scope: ClockScope) => void;

  constructor(
    clock: ManualClock,
    add: (fn: () => void, ms: number, owner: ClockScope) => TimerHandle,
    kill: (scope: ClockScope) => void,
  ) {
    this.#clock = clock;
    this.#add = add;
    this.#kill = kill;
  }

  now(): number {
    return this.#clock.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.#add(fn, ms, this);
  }

  clearTimeout(handle: TimerHandle): void {
    this.#clock.clearTimeout(handle);
  }

  /** The process is gone: none of its timers fires again. */
  kill(): void {
    this.#kill(this);
  }
}
