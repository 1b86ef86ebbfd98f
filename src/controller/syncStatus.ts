import type { Logger } from "pino";
import type { Clock } from "../domain/clock.js";
import type { HandlerOutcome } from "./workQueue.js";
import { errorMessage } from "./errorMessage.js";
import type { ControllerMetrics } from "./metrics.js";

/**
 * Whether Docker answers and how far the syncs got: the daemon's readiness. A full resync is a
 * round of names; it counts as successful once each of them was reconciled without a retryable
 * failure.
 */
export class SyncStatus {
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #metrics: ControllerMetrics;
  #dockerReachable = false;
  #dockerError: string | undefined;
  #firstSyncDone = false;
  #lastSuccessfulSync: number | undefined;
  /** Names of the current full resync not reconciled yet, and whether one of them must retry. */
  #round: { pending: Set<string>; failed: boolean } | undefined;

  constructor(log: Logger, clock: Clock, metrics: ControllerMetrics) {
    this.#log = log;
    this.#clock = clock;
    this.#metrics = metrics;
  }

  get dockerReachable(): boolean {
    return this.#dockerReachable;
  }

  get firstSyncDone(): boolean {
    return this.#firstSyncDone;
  }

  /** Clock time of the last full resync that reconciled every app without a retryable failure. */
  get lastSuccessfulSync(): number | undefined {
    return this.#lastSuccessfulSync;
  }

  /** Docker answered, or (with the error) did not. */
  setDockerReachable(reachable: boolean, error?: unknown): void {
    const message = error === undefined ? undefined : errorMessage(error);
    // The daemon starts as "not reachable" without an error: a Docker that is down from the
    // start must be logged too, not only a Docker that goes away later.
    const firstFailure = !reachable && this.#dockerError === undefined;
    if (reachable !== this.#dockerReachable || firstFailure) {
      if (reachable) this.#log.info("Docker is reachable");
      else this.#log.warn({ error: message }, "Docker is not reachable; retrying with backoff");
    }
    this.#dockerReachable = reachable;
    this.#dockerError = reachable ? undefined : message;
  }

  /** A full resync enqueued these names. */
  startRound(names: Iterable<string>): void {
    this.#round = { pending: new Set(names), failed: false };
    if (this.#round.pending.size === 0) this.#finishRound();
  }

  /** One reconcile of `name` ended. */
  processed(name: string, outcome: HandlerOutcome): void {
    const round = this.#round;
    if (round?.pending.delete(name)) {
      if (outcome.result === "retry") round.failed = true;
      if (round.pending.size === 0) this.#finishRound();
    }
  }

  /** For `/readyz`: ready once Docker is reachable and the first full sync is done. */
  readiness(): { ready: boolean; reason?: string } {
    if (!this.#dockerReachable && this.#dockerError === undefined) {
      return { ready: false, reason: "Docker has not answered yet" };
    }
    if (!this.#dockerReachable) {
      return {
        ready: false,
        reason: `Docker is not reachable${this.#dockerError ? `: ${this.#dockerError}` : ""}`,
      };
    }
    if (!this.#firstSyncDone) return { ready: false, reason: "the first sync is not done yet" };
    return { ready: true };
  }

  #finishRound(): void {
    const round = this.#round;
    this.#round = undefined;
    if (!this.#firstSyncDone) this.#log.info("first sync done");
    this.#firstSyncDone = true;
    if (round && !round.failed) {
      this.#lastSuccessfulSync = this.#clock.now();
      this.#metrics.lastSuccessfulSync.set(this.#lastSuccessfulSync / 1000);
    }
  }
}
