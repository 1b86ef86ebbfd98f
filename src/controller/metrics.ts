import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type ReconcileResult = "ok" | "retry" | "terminal";

/**
 * The daemon's Prometheus metrics, in a registry of their own (never prom-client's global one), so
 * several daemons or tests in one process never share or clash on metric names.
 */
export class ControllerMetrics {
  readonly registry: Registry;
  readonly reconciles: Counter<"result">;
  readonly reconcileDuration: Histogram;
  readonly queueDepth: Gauge;
  readonly apps: Gauge<"state">;
  readonly lastSuccessfulSync: Gauge;
  readonly dockerErrors: Counter;
  readonly actions: Counter<"kind" | "result">;
  readonly rollbacks: Counter<"app">;
  #appStates: (() => Record<string, number>) | undefined;
  #queueDepth: (() => number) | undefined;

  constructor(options: { registry?: Registry; processMetrics?: boolean } = {}) {
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    this.reconciles = new Counter({
      name: "alacrity_reconciles_total",
      help: "Reconciles of one app, by result (ok, retry: to be retried with backoff, terminal: waits for an input change).",
      labelNames: ["result"],
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: "alacrity_reconcile_duration_seconds",
      help: "Time to reconcile one app: observe, plan and execute its actions.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.queueDepth = new Gauge({
      name: "alacrity_queue_depth",
      help: "App names waiting in the work queue.",
      registers,
      collect: () => {
        if (this.#queueDepth) this.queueDepth.set(this.#queueDepth());
      },
    });
    this.apps = new Gauge({
      name: "alacrity_apps",
      help: "Apps by state (running, converging, waiting, failed, rejected, invalid, ...).",
      labelNames: ["state"],
      registers,
      // Computed when scraped: counting states after every reconcile would cost O(apps) each time.
      collect: () => {
        if (this.#appStates) this.setAppStates(this.#appStates());
      },
    });
    this.lastSuccessfulSync = new Gauge({
      name: "alacrity_last_successful_sync_timestamp_seconds",
      help: "When a full resync last reconciled every app without a retryable failure (Unix seconds).",
      registers,
    });
    this.dockerErrors = new Counter({
      name: "alacrity_docker_errors_total",
      help: "Failed calls to the Docker API (observe, execute, event stream).",
      registers,
    });
    this.actions = new Counter({
      name: "alacrity_actions_total",
      help: "Actions executed, by kind (pin, create, update, scale, remove, hold, release-hold) and result (ok, error).",
      labelNames: ["kind", "result"],
      registers,
    });
    this.rollbacks = new Counter({
      name: "alacrity_rollbacks_total",
      help: "Updates Swarm rolled back, by app: counted once per held spec, when its hold is recorded.",
      labelNames: ["app"],
      registers,
    });
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: "alacrity_" });
  }

  /** Sources read at scrape time for the gauges that describe the current state. */
  bind(sources: { appStates?: () => Record<string, number>; queueDepth?: () => number }): void {
    this.#appStates = sources.appStates;
    this.#queueDepth = sources.queueDepth;
  }

  /** Replaces the per-state app counts; states absent from `counts` drop to 0. */
  setAppStates(counts: Record<string, number>): void {
    this.apps.reset();
    for (const [state, count] of Object.entries(counts)) this.apps.set({ state }, count);
  }
}
