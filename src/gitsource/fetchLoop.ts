import type { Logger } from "pino";
import { backgroundClock, type Clock, type TimerHandle } from "../domain/clock.js";
import { nextFetchDelay } from "./backoff.js";
import { redactText } from "./redact.js";

export type SyncResult = "changed" | "unchanged" | "failed";

export interface FetchLoopOptions {
  /** One fetch-and-switch; what it throws is a failed attempt, retried with backoff. */
  sync: (reason: string) => Promise<Exclude<SyncResult, "failed">>;
  /** Polling period; `trigger` fetches in between. */
  intervalMs: number;
  /** Hidden from the error messages the loop logs and reports. */
  secrets: readonly string[];
  /** Called after every attempt, successful or not. */
  onSynced?: () => void;
  /** The commit running now, for the logs: a failure keeps it. */
  revision: () => string | undefined;
  logger: Logger;
  random?: () => number;
  /** Default: the system clock, with timers that never keep the process alive. */
  clock?: Clock;
}

/** When the loop last fetched, how it failed since, and when it fetches next (Unix ms). */
export interface FetchLoopState {
  lastFetch?: number;
  lastError?: string;
  fetchErrors: number;
  consecutiveFailures: number;
  nextFetch?: number;
}

/**
 * Runs `sync` now, on every `trigger` and every interval; never two at once: a trigger during a run
 * makes one more run after it. A failing run is retried after a capped exponential backoff (never
 * longer than the interval), and the failures are counted for `/status`.
 */
export class FetchLoop {
  readonly #options: FetchLoopOptions;
  #lastFetch: number | undefined;
  #lastError: string | undefined;
  #fetchErrors = 0;
  #failures = 0;
  readonly #clock: Clock;
  #timer: TimerHandle;
  #nextFetch: number | undefined;
  #running: Promise<SyncResult> | undefined;
  #again: string | undefined;
  #stopped = false;

  constructor(options: FetchLoopOptions) {
    this.#options = options;
    this.#clock = options.clock ?? backgroundClock;
  }

  /** Runs at once; resolves with the result of that run (and of the runs triggered during it). */
  run(reason: string): Promise<SyncResult> {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#nextFetch = undefined;
    const run = (async () => {
      let result: SyncResult = "unchanged";
      let next: string | undefined = reason;
      while (next !== undefined && !this.#stopped) {
        this.#again = undefined;
        result = await this.#attempt(next);
        next = this.#again;
      }
      return result;
    })();
    this.#running = run;
    void run.finally(() => {
      this.#running = undefined;
      this.#schedule();
    });
    return run;
  }

  /** Fetches now (a webhook); a trigger during a fetch makes one more fetch after it. */
  trigger(reason: string): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = reason;
      return;
    }
    void this.run(reason);
  }

  /** No more runs; resolves when the current one is over. */
  stop(): Promise<unknown> {
    this.#stopped = true;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    return this.#running ?? Promise.resolve();
  }

  state(): FetchLoopState {
    const state: FetchLoopState = { fetchErrors: this.#fetchErrors, consecutiveFailures: this.#failures };
    if (this.#lastFetch !== undefined) state.lastFetch = this.#lastFetch;
    if (this.#lastError !== undefined) state.lastError = this.#lastError;
    if (this.#nextFetch !== undefined) state.nextFetch = this.#nextFetch;
    return state;
  }

  #schedule(): void {
    if (this.#stopped) return;
    const delay = nextFetchDelay(this.#failures, this.#options.intervalMs, this.#options.random);
    this.#nextFetch = this.#clock.now() + delay;
    this.#timer = this.#clock.setTimeout(() => void this.run("periodic"), delay);
  }

  async #attempt(reason: string): Promise<SyncResult> {
    const log = this.#options.logger;
    let result: SyncResult;
    try {
      result = await this.#options.sync(reason);
      this.#lastFetch = this.#clock.now();
      if (this.#lastError !== undefined)
        log.info({ revision: this.#options.revision() }, "fetching works again");
      this.#lastError = undefined;
      this.#failures = 0;
    } catch (error) {
      const message = redactText(
        error instanceof Error ? error.message : String(error),
        this.#options.secrets,
      );
      this.#fetchErrors++;
      this.#failures++;
      const delay = nextFetchDelay(this.#failures, this.#options.intervalMs, () => 0.5);
      // Logged on every attempt while it fails, at a bounded rate thanks to the backoff.
      log.warn(
        {
          reason,
          error: message,
          failures: this.#failures,
          keptRevision: this.#options.revision(),
          retryInMs: delay,
        },
        "git sync failed; keeping the last good commit",
      );
      this.#lastError = message;
      result = "failed";
    }
    try {
      this.#options.onSynced?.();
    } catch (error) {
      log.error({ err: error }, "onSynced failed");
    }
    return result;
  }
}
