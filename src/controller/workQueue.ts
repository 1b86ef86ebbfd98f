import PQueue from "p-queue";
import { systemClock, type Clock, type TimerHandle } from "../domain/clock.js";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.js";

export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions };

/**
 * What a handler says about one run of a key:
 * - `ok`: done; the key's failure count is reset;
 * - `retry`: a transient problem (Docker unreachable, update out of sequence): the key is run again
 *   after an exponential backoff with jitter;
 * - `terminal`: retrying cannot help (invalid spec, rule violation): nothing is scheduled, the key
 *   waits for the next `add` (an input change or a resync).
 */
export type HandlerOutcome =
  { result: "ok" } | { result: "retry"; error?: unknown } | { result: "terminal"; error?: unknown };

export type WorkHandler = (key: string) => Promise<HandlerOutcome>;

export interface WorkQueueOptions {
  /** Runs one key; never called twice at once for the same key. */
  handler: WorkHandler;
  /** How many different keys may run at the same time. Default 4. */
  concurrency?: number;
  backoff?: Partial<BackoffOptions>;
  /** Injected so tests can record delays instead of sleeping. Default: the system clock. */
  clock?: Clock;
  /** Uniform in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Called after every run, for metrics and logs; what it throws is ignored. */
  onProcessed?: (key: string, outcome: HandlerOutcome, durationMs: number) => void;
}

function describe(value: unknown): string {
  return `\`${String(value)}\` (${typeof value})`;
}

/**
 * A work queue keyed by name (an app name), in the manner of controller-runtime's workqueue:
 * - a key added several times before it runs is run once (the dirty set);
 * - a key added while it runs is run once more after it finishes, never concurrently (the
 *   in-flight set);
 * - different keys run concurrently, bounded by p-queue;
 * - failed keys are retried with capped exponential backoff and jitter; success resets it.
 */
export class WorkQueue {
  readonly #handler: WorkHandler;
  readonly #pq: PQueue;
  readonly #backoff: BackoffOptions;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #onProcessed: WorkQueueOptions["onProcessed"];

  /** Keys waiting to run (queued in p-queue, or waiting for their in-flight run to end). */
  readonly #dirty = new Set<string>();
  readonly #inFlight = new Set<string>();
  /** Keys scheduled by `addAfter` or a retry, with the time they are due. */
  readonly #delayed = new Map<string, { due: number; handle: TimerHandle }>();
  readonly #failures = new Map<string, number>();
  #shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    const concurrency = options.concurrency ?? 4;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new TypeError(
        `Expected \`concurrency\` to be an integer from 1 and up, got ${describe(concurrency)}`,
      );
    }
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    for (const [name, value] of Object.entries(this.#backoff)) {
      if (typeof value !== "number" || !(value > 0)) {
        throw new TypeError(`Expected \`backoff.${name}\` to be a number above 0, got ${describe(value)}`);
      }
    }
    this.#handler = options.handler;
    this.#pq = new PQueue({ concurrency });
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#onProcessed = options.onProcessed;
  }

  /**
   * Marks `key` as needing a run. Returns false when the queue is shutting down (the key is
   * refused), true otherwise (including when it collapsed into a pending run).
   */
  add(key: string): boolean {
    if (this.#shuttingDown) return false;
    if (this.#dirty.has(key)) return true;
    this.#dirty.add(key);
    if (!this.#inFlight.has(key)) this.#enqueue(key);
    return true;
  }

  /**
   * Adds `key` after `delayMs`. When the key is already scheduled, the earlier time wins, so a
   * retry can never postpone a requested run.
   */
  addAfter(key: string, delayMs: number): boolean {
    if (this.#shuttingDown) return false;
    if (delayMs <= 0) return this.add(key);
    const due = this.#clock.now() + delayMs;
    const existing = this.#delayed.get(key);
    if (existing && existing.due <= due) return true;
    if (existing) this.#clock.clearTimeout(existing.handle);
    const handle = this.#clock.setTimeout(() => {
      const current = this.#delayed.get(key);
      if (current?.handle !== handle) return;
      this.#delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.#delayed.set(key, { due, handle });
    return true;
  }

  /** Keys waiting to run (not counting running or delayed ones): the queue depth metric. */
  get depth(): number {
    return this.#dirty.size;
  }

  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  get delayedCount(): number {
    return this.#delayed.size;
  }

  /** Consecutive failures of `key` (0 after a success). */
  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  get isShuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Resolves when nothing is queued or running (delayed keys do not count). */
  async onIdle(): Promise<void> {
    await this.#pq.onIdle();
  }

  /**
   * Stops intake (later `add`s are refused), drops queued and delayed keys (the next start's full
   * resync finds them again: the queue is level-triggered), and resolves once the runs in flight
   * have finished.
   */
  async shutdown(): Promise<void> {
    this.#shuttingDown = true;
    for (const { handle } of this.#delayed.values()) this.#clock.clearTimeout(handle);
    this.#delayed.clear();
    this.#pq.clear();
    this.#dirty.clear();
    await this.#pq.onIdle();
  }

  #enqueue(key: string): void {
    // #run never rejects: handler errors are turned into outcomes there.
    void this.#pq.add(() => this.#run(key));
  }

  async #run(key: string): Promise<void> {
    this.#dirty.delete(key);
    this.#inFlight.add(key);
    const started = this.#clock.now();
    let outcome: HandlerOutcome;
    try {
      outcome = await this.#handler(key);
    } catch (error) {
      // A handler that throws broke its contract; retrying is the safe reading (controller-runtime
      // requeues any non-terminal error).
      outcome = { result: "retry", error };
    }
    this.#inFlight.delete(key);

    if (outcome.result === "retry") {
      const failures = (this.#failures.get(key) ?? 0) + 1;
      this.#failures.set(key, failures);
      if (!this.#dirty.has(key)) this.addAfter(key, backoffDelay(failures, this.#backoff, this.#random));
    } else {
      // A terminal result also resets: the next run comes from a changed input and starts afresh.
      this.#failures.delete(key);
    }
    try {
      this.#onProcessed?.(key, outcome, this.#clock.now() - started);
    } catch {
      // An observer (metrics, logs) that throws must not stall the key or leak a rejection.
    }
    if (this.#dirty.has(key) && !this.#shuttingDown) this.#enqueue(key);
  }
}
