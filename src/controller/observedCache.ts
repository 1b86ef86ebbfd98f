import type { Clock } from "../domain/clock.js";
import type { ObservedState } from "../swarm/types.js";

export interface ObservedCacheOptions {
  /** Reads the whole Swarm state. */
  observe(): Promise<ObservedState>;
  /** How long a snapshot may be shared, counted from when it arrived. */
  windowMs: number;
  clock: Clock;
  /** Called with every snapshot that arrives. */
  onObserved(observed: ObservedState): void;
  /** Called with every `observe()` that fails. */
  onFailed(error: unknown): void;
}

interface Snapshot {
  /** Orders snapshots against triggers (a counter: two things can happen in one millisecond). */
  seq: number;
  /** When the observed state arrived; undefined while in flight. */
  doneAt: number | undefined;
  inFlight: boolean;
  promise: Promise<ObservedState>;
}

/**
 * Shares one observed state between the reconciles of a burst, like an informer's cache: 500
 * queued names then cost a handful of `observe()` calls instead of 500. A snapshot is reused only
 * for a name triggered (or last changed by us) *before* the snapshot was started, so an event or
 * our own write is never answered with older state; other apps may be seen up to the window out
 * of date, which the next event or resync corrects. The window counts from when the snapshot
 * arrived: on a loaded host one `observe()` can take longer than the window, and a window counted
 * from its start would expire before anyone could share it.
 */
export class ObservedCache {
  readonly #options: ObservedCacheOptions;
  #snapshot: Snapshot | undefined;
  #seq = 0;
  /** Sequence number of each name's last trigger: its reconcile must see a snapshot started later. */
  readonly #triggered = new Map<string, number>();
  #last: ObservedState | undefined;

  constructor(options: ObservedCacheOptions) {
    this.#options = options;
  }

  /** The latest snapshot that arrived, if any. */
  get last(): ObservedState | undefined {
    return this.#last;
  }

  /** The current point in the order of triggers and snapshots. */
  get seq(): number {
    return this.#seq;
  }

  /** A new point in that order: a snapshot started from now on is newer than it. */
  mark(): number {
    return ++this.#seq;
  }

  /** `name`'s next reconcile must see a snapshot started after `notBefore` (default: now). */
  trigger(name: string, notBefore = this.mark()): void {
    this.#triggered.set(name, Math.max(notBefore, this.#triggered.get(name) ?? 0));
  }

  /** We just changed `name`: its next reconcile must see what we changed. */
  changed(name: string): void {
    this.#triggered.set(name, this.mark());
  }

  /** The observed state `name`'s reconcile may use. */
  forApp(name: string): Promise<ObservedState> {
    return this.get(this.#triggered.get(name) ?? 0);
  }

  /**
   * A snapshot started after `notBefore` and younger than the window is shared; otherwise (or when
   * `fresh`) a new one is taken.
   */
  get(notBefore: number, options: { fresh?: boolean } = {}): Promise<ObservedState> {
    const { clock, windowMs } = this.#options;
    const now = clock.now();
    const current = this.#snapshot;
    if (
      !options.fresh &&
      current &&
      current.seq > notBefore &&
      (current.inFlight || now - (current.doneAt ?? now) <= windowMs)
    ) {
      return current.promise;
    }
    const snapshot: Snapshot = {
      seq: this.mark(),
      doneAt: undefined,
      inFlight: true,
      promise: this.#options.observe(),
    };
    this.#snapshot = snapshot;
    snapshot.promise.then(
      (observed) => {
        snapshot.inFlight = false;
        snapshot.doneAt = clock.now();
        this.#last = observed;
        this.#options.onObserved(observed);
      },
      (error: unknown) => {
        snapshot.inFlight = false;
        if (this.#snapshot === snapshot) this.#snapshot = undefined;
        this.#options.onFailed(error);
      },
    );
    return snapshot.promise;
  }
}
