import type { Clock, TimerHandle } from "../domain/clock.js";

/**
 * Runs full resyncs: on request and every `intervalMs`. Requests that come while one runs collapse
 * into one more run (with the latest reason), so a storm of node events costs two passes, not one
 * per event.
 */
export class ResyncLoop {
  readonly #pass: (reason: string) => Promise<void>;
  readonly #intervalMs: number;
  readonly #clock: Clock;
  #running = false;
  #again: string | undefined;
  #timer: TimerHandle;
  #stopped = false;

  constructor(pass: (reason: string) => Promise<void>, intervalMs: number, clock: Clock) {
    this.#pass = pass;
    this.#intervalMs = intervalMs;
    this.#clock = clock;
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  /** Resolves when this request's pass (or the run it collapsed into) has been started and done. */
  async request(reason: string): Promise<void> {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = reason;
      return;
    }
    this.#running = true;
    try {
      let next: string | undefined = reason;
      while (next !== undefined && !this.#stopped) {
        this.#again = undefined;
        await this.#pass(next);
        next = this.#again;
      }
    } finally {
      this.#running = false;
    }
  }

  /** Starts the periodic resyncs: the next one `intervalMs` after the previous one ended. */
  schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#clock.setTimeout(() => {
      void this.request("periodic").finally(() => this.schedule());
    }, this.#intervalMs);
  }

  stop(): void {
    this.#stopped = true;
    this.#clock.clearTimeout(this.#timer);
  }
}
