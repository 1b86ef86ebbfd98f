import type { Logger } from "pino";
import { systemClock } from "../domain/clock.js";
import { AppExecutor } from "../execute/appExecutor.js";
import { isManagedBy } from "../reconcile/managed.js";
import type { StatusRow } from "../reconcile/status.js";
import type { SwarmEvent } from "../swarm/events.js";
import type { DesiredState } from "../manifest/types.js";
import type { ObservedState } from "../swarm/types.js";
import { AppReconciler } from "./appReconciler.js";
import type { DaemonDeps } from "./daemonDeps.js";
import type { DaemonOptions } from "./daemonOptions.js";
import { appStatusRows, daemonStatus, type DaemonStatus } from "./daemonStatus.js";
import { EventIntake } from "./eventIntake.js";
import { routeEvent } from "./eventRouting.js";
import { FindingsLog } from "./findingsLog.js";
import { ManifestIntake } from "./manifestIntake.js";
import { ControllerMetrics } from "./metrics.js";
import { RecentActions, type RecentAction } from "./recentActions.js";
import { reportRollback } from "./rollbackReport.js";
import { ObservedCache } from "./observedCache.js";
import { PlanCache } from "./planCache.js";
import { RESOURCES_KEY, ResourceReconciler } from "./resourceReconciler.js";
import { ResourceRunners } from "./resourceRunners.js";
import { ResyncLoop } from "./resyncLoop.js";
import { SyncStatus } from "./syncStatus.js";
import { WorkQueue, type BackoffOptions, type HandlerOutcome } from "./workQueue.js";

/** Kept here for the Git source, which wraps the daemon's dependencies. */

const DEFAULT_RECONNECT: BackoffOptions = { baseMs: 1000, factor: 2, capMs: 30_000 };

/**
 * The reconciling daemon, level-triggered like a controller-runtime controller: watch events,
 * Docker events and periodic resyncs only put app *names* in the generic work queue; reconciling a
 * name (`AppReconciler`) re-reads the observed state, plans the whole state, and executes only that
 * app's actions. This class only wires the parts together and runs the resyncs.
 */
export class Daemon {
  readonly #log: Logger;
  readonly #metrics: ControllerMetrics;
  readonly #instance: string;
  readonly #resyncs: ResyncLoop;
  readonly #sync: SyncStatus;
  readonly #observed: ObservedCache;
  readonly #plans: PlanCache;
  readonly #reconciler: AppReconciler;
  readonly #queue: WorkQueue;
  readonly #manifests: ManifestIntake;
  readonly #events: EventIntake;
  readonly #recent: RecentActions;

  #started = false;
  #stopping = false;
  #stopped: Promise<void> | undefined;

  constructor(deps: DaemonDeps, options: DaemonOptions = {}) {
    const log = deps.logger;
    const clock = options.clock ?? systemClock;
    const random = options.random ?? Math.random;
    const metrics = options.metrics ?? new ControllerMetrics();
    this.#log = log;
    this.#metrics = metrics;
    this.#instance = options.instance ?? "default";
    const recent = (this.#recent = new RecentActions({ now: () => clock.now() }));
    this.#resyncs = new ResyncLoop(
      (reason) => this.#resyncOnce(reason),
      options.resyncIntervalMs ?? 60_000,
      clock,
    );
    const findings = new FindingsLog(log);
    const sync = (this.#sync = new SyncStatus(log, clock, metrics));
    const observed = (this.#observed = new ObservedCache({
      observe: () => deps.observe(),
      windowMs: options.observedCacheMs ?? 500,
      clock,
      onObserved: () => sync.setDockerReachable(true),
      onFailed: (error) => {
        metrics.dockerErrors.inc();
        sync.setDockerReachable(false, error);
      },
    }));
    const plans = (this.#plans = new PlanCache(
      (desired, state) => deps.plan(desired, state),
      (plan) => findings.plan(plan),
    ));
    const executor = new AppExecutor({
      port: deps,
      clock,
      okLevel: "info",
      onAction: (outcome) => {
        const { action, ok } = outcome;
        recent.app(outcome);
        // This app's next reconcile must see what we just changed (or tried to).
        observed.changed(action.app);
        if (!ok) metrics.dockerErrors.inc();
        metrics.actions.inc({ kind: action.kind, result: ok ? "ok" : "error" });
        if (ok && action.kind === "hold") reportRollback(log, metrics, action);
      },
    });
    const manifests = (this.#manifests = new ManifestIntake({
      loadDesired: () => deps.loadDesired(),
      watchManifests: deps.watchManifests && ((onChange, onBurst) => deps.watchManifests!(onChange, onBurst)),
      observed,
      enqueue: (name, notBefore) => this.#enqueue(name, notBefore),
      findings,
      logger: log,
    }));
    const runners = new ResourceRunners({
      port: deps,
      logger: log,
      clock,
      onOutcome: (outcome) => {
        const { action, ok } = outcome;
        recent.resource(outcome);
        observed.changed(RESOURCES_KEY);
        if (!ok) metrics.dockerErrors.inc();
        metrics.actions.inc({ kind: action.kind, result: ok ? "ok" : "error" });
      },
    });
    this.#reconciler = new AppReconciler({
      desired: () => manifests.desired,
      observe: (name) => observed.forApp(name),
      plans,
      executor,
      resources: runners,
      onActionsRun: () => this.#enqueue(RESOURCES_KEY),
      logger: log,
    });
    const resources = new ResourceReconciler({
      desired: () => manifests.desired,
      observe: (name) => observed.forApp(name),
      plans,
      runners,
    });
    this.#queue = new WorkQueue({
      handler: (name) => (name === RESOURCES_KEY ? resources.reconcile() : this.#reconciler.reconcile(name)),
      concurrency: options.concurrency ?? 4,
      backoff: options.backoff ?? {},
      clock,
      random,
      onProcessed: (name, outcome, durationMs) => this.#processed(name, outcome, durationMs),
    });
    this.#events = new EventIntake({
      watchEvents: (onEvent, onError) => deps.watchEvents(onEvent, onError),
      probe: () => observed.get(0, { fresh: true }),
      onEvent: (event) => this.#onEvent(event),
      onReconnected: () => this.resync("reconnected"),
      onLost: () => metrics.dockerErrors.inc(),
      backoff: { ...DEFAULT_RECONNECT, ...options.reconnectBackoff },
      clock,
      random,
      logger: log,
    });
    metrics.bind({
      queueDepth: () => this.#queue.depth,
      appStates: () => {
        const counts: Record<string, number> = {};
        for (const row of this.statusRows()) counts[row.state] = (counts[row.state] ?? 0) + 1;
        return counts;
      },
    });
  }

  get metrics(): ControllerMetrics {
    return this.#metrics;
  }

  /** Subscribes to events, starts the manifest watch, and runs the first full resync. */
  async start(): Promise<void> {
    if (this.#started) throw new Error("Expected a daemon to be started once, but start() was called again");
    this.#started = true;
    this.#log.info({ resyncIntervalMs: this.#resyncs.intervalMs }, "daemon starting");
    // Events first, so nothing that happens during the first list is missed.
    this.#events.start();
    await this.#manifests.startWatch();
    await this.resync("start");
    this.#resyncs.schedule();
  }

  /**
   * Stops intake (events, watch, timers), lets the reconciles in flight finish, and resolves.
   * Queued names are dropped: the next start resyncs everything anyway.
   */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#stopping = true;
      this.#log.info({ inFlight: this.#queue.inFlightCount }, "daemon stopping");
      this.#resyncs.stop();
      this.#events.stop();
      await this.#manifests.stop();
      await this.#queue.shutdown();
      await this.#manifests.reloading;
      this.#log.info("daemon stopped");
    })();
    return this.#stopped;
  }

  /** Waits until no name is queued or running (delayed retries do not count). For tests and `--once`. */
  async idle(): Promise<void> {
    await this.#manifests.reloading;
    await this.#queue.onIdle();
  }

  /** For `/readyz`: ready once Docker is reachable and the first full sync is done. */
  readiness(): { ready: boolean; reason?: string } {
    return this.#sync.readiness();
  }

  /** One row per app, as `alacrity status` shows them, from the latest observed state and plan. */
  statusRows(): StatusRow[] {
    return appStatusRows(
      this.#observed.last,
      this.#manifests.desired,
      this.#plans.last,
      this.#instance,
      (app) => this.#reconciler.lastError(app),
    );
  }

  /** The last actions run, newest first (the log has every one). */
  recentActions(): RecentAction[] {
    return this.#recent.list();
  }

  /** Epoch ms of the last full resync that reconciled every app without a retryable failure. */
  get lastSuccessfulSync(): number | undefined {
    return this.#sync.lastSuccessfulSync;
  }

  /** The last Swarm state read, if any: what the web view draws its nodes and data from. */
  get lastObserved(): ObservedState | undefined {
    return this.#observed.last;
  }

  status(): DaemonStatus {
    return daemonStatus(this.#sync, this.statusRows());
  }

  /** Names waiting to be reconciled. */
  get queueDepth(): number {
    return this.#queue.depth;
  }

  /**
   * Reloads the manifests and the Swarm state and enqueues every desired app and every managed
   * service (level-triggered: this also repairs whatever a lost event or a missed watch left).
   * Concurrent requests collapse into one more run.
   */
  resync(reason: string): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    return this.#resyncs.request(reason);
  }

  async #resyncOnce(reason: string): Promise<void> {
    await this.#manifests.reload(reason, { enqueueChanges: false });
    const desired = this.#manifests.desired;
    if (!desired) return;
    // The fresh snapshot taken now is recent enough for the names found in it.
    const notBefore = this.#observed.seq;
    let observed: ObservedState;
    try {
      observed = await this.#observed.get(0, { fresh: true });
    } catch {
      return; // Logged and counted by the cache's callbacks; the reconnect loop or the next resync retries.
    }
    const names = new Set<string>(desired.apps.keys());
    for (const invalid of desired.invalid) if (invalid.name !== undefined) names.add(invalid.name);
    for (const service of observed.services) {
      if (isManagedBy(service, this.#instance)) names.add(service.name);
    }
    this.#log.debug({ reason, apps: names.size }, "full resync");
    this.#sync.startRound(names);
    for (const name of names) this.#enqueue(name, notBefore);
    if (this.#resourcesToDo(desired, observed)) this.#enqueue(RESOURCES_KEY, notBefore);
  }

  /**
   * Whether the plan has networks, secrets or configs to create or remove. Planned from the
   * snapshot the apps will use, so this costs no plan of its own; a planner that throws is the
   * apps' reconciles to report.
   */
  #resourcesToDo(desired: DesiredState, observed: ObservedState): boolean {
    try {
      const { plan } = this.#plans.planFor(desired, observed);
      return (plan.setup?.length ?? 0) > 0 || (plan.cleanup?.length ?? 0) > 0;
    } catch {
      return false;
    }
  }

  /** Queues `name`; its reconcile will use a snapshot newer than `notBefore` (default: now). */
  #enqueue(name: string, notBefore?: number): void {
    if (this.#stopping) return;
    this.#observed.trigger(name, notBefore);
    this.#queue.add(name);
  }

  #processed(name: string, outcome: HandlerOutcome, durationMs: number): void {
    this.#metrics.reconciles.inc({ result: outcome.result });
    this.#metrics.reconcileDuration.observe(durationMs / 1000);
    if (outcome.result === "retry") {
      this.#log.debug({ app: name, failures: this.#queue.failures(name) }, "reconcile will be retried");
    }
    this.#sync.processed(name, outcome);
  }

  #onEvent(event: SwarmEvent): void {
    if (this.#stopping) return;
    const route = routeEvent(event, this.#manifests.desired, this.#observed.last, this.#instance);
    if (route?.kind === "resync") void this.resync(route.reason);
    else if (route?.kind === "enqueue") this.#enqueue(route.name);
  }
}
