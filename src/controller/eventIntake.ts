import type { Logger } from "pino";
import type { Clock, TimerHandle } from "../domain/clock.js";
import type { SwarmEvent } from "../swarm/events.js";
import { errorMessage } from "./errorMessage.js";
import { backoffDelay, type BackoffOptions } from "./workQueue.js";

export interface EventIntakeOptions {
  /** Subscribes to service and node events; `onError` is called once when the stream fails. */
  watchEvents(onEvent: (event: SwarmEvent) => void, onError: (err: Error) => void): { stop(): void };
  /** One read of the Swarm, to learn whether Docker answers again before subscribing. */
  probe(): Promise<unknown>;
  onEvent(event: SwarmEvent): void;
  /** The stream is back; the events missed meanwhile are not: resync. */
  onReconnected(): Promise<void>;
  /** The stream failed (for the error metric). */
  onLost(): void;
  backoff: BackoffOptions;
  clock: Clock;
  random: () => number;
  logger: Logger;
}

/**
 * Keeps the Docker event stream subscribed: when it fails, probes Docker with capped exponential
 * backoff and jitter, and subscribes again once Docker answers.
 */
export class EventIntake {
  readonly #options: EventIntakeOptions;
  #events: { stop(): void } | undefined;
  #reconnectTimer: TimerHandle;
  #attempts = 0;
  #stopped = false;

  constructor(options: EventIntakeOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#stopped) return;
    try {
      this.#events = this.#options.watchEvents(
        (event) => {
          if (!this.#stopped) this.#options.onEvent(event);
        },
        (error) => this.#failed(error),
      );
    } catch (error) {
      this.#failed(error instanceof Error ? error : new Error(errorMessage(error)));
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#options.clock.clearTimeout(this.#reconnectTimer);
    this.#events?.stop();
    this.#events = undefined;
  }

  #failed(error: Error): void {
    if (this.#stopped) return;
    this.#events?.stop();
    this.#events = undefined;
    this.#options.onLost();
    this.#options.logger.warn(
      { error: error.message },
      "Docker event stream lost; reconnecting with backoff",
    );
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#stopped) return;
    this.#attempts++;
    const delay = backoffDelay(this.#attempts, this.#options.backoff, this.#options.random);
    this.#reconnectTimer = this.#options.clock.setTimeout(() => void this.#reconnect(), delay);
  }

  async #reconnect(): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.#options.probe();
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#attempts = 0;
    this.#options.logger.info("reconnected to Docker; resyncing");
    this.start();
    await this.#options.onReconnected();
  }
}
