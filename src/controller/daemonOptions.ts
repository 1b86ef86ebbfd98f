import type { Clock } from "../domain/clock.js";
import type { ControllerMetrics } from "./metrics.js";
import type { BackoffOptions } from "./workQueue.js";

/** How the daemon runs; every field has a default. */
export interface DaemonOptions {
  /** Full resync period. Default 60 s. */
  resyncIntervalMs?: number;
  /**
   * How long an observed state may be shared by later reconciles (see `ObservedCache`), counted
   * from when it arrived. Default 500 ms: on a loaded host one observe can take hundreds of
   * milliseconds, and a shorter window would expire before a burst's reconciles could share it.
   */
  observedCacheMs?: number;
  /** Apps reconciled at once. Default 4. */
  concurrency?: number;
  /** Retry backoff of one app. Default 100 ms × 2ⁿ, capped at 30 s, equal jitter. */
  backoff?: Partial<BackoffOptions>;
  /** Backoff of reconnecting the event stream when Docker goes away. Default 1 s × 2ⁿ, capped at 30 s. */
  reconnectBackoff?: Partial<BackoffOptions>;
  /** The AlaCrity instance whose managed services are resynced. Default `default`. */
  instance?: string;
  metrics?: ControllerMetrics;
  /** Default: the system clock. */
  clock?: Clock;
  /** Uniform in [0, 1), for the backoff's jitter. Default `Math.random`. */
  random?: () => number;
}
