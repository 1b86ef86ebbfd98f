import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { systemClock, type Clock, type TimerHandle } from "../domain/clock.js";
import type { DesiredState } from "../manifest/types.js";
import { formatError } from "../manifest/types.js";
import { isManagedBy } from "../reconcile/managed.js";
import { summarizeStatus, type StatusRow } from "../reconcile/status.js";
import type { Action, Plan } from "../reconcile/types.js";
import type { SwarmEvent } from "../swarm/events.js";
import type { ObservedState } from "../swarm/types.js";
import { changedApps } from "./desiredDiff.js";
import { ControllerMetrics } from "./metrics.js";
import { WorkQueue, backoffDelay, type BackoffOptions, type HandlerOutcome } from "./workQueue.js";

/**
 * What the daemon needs from the other layers, injected so that the orchestration can be tested on
 * its own and the real layers plugged in by `alacrity run`.
 */
export interface DaemonDeps {
  /** Reads the whole apps directory (never throws for bad manifests: they are in `errors`). */
  loadDesired(): Promise<DesiredState>;
  /** Reads the whole Swarm state. */
  observe(): Promise<ObservedState>;
  /** The pure planner, with the daemon's plan options already bound. */
  plan(desired: DesiredState, observed: ObservedState): Plan;
  /** Performs one action against the Swarm; `observed` is the state the action was planned from. */
  execute(action: Action, observed: ObservedState): Promise<void>;
  /** True when retrying (after re-observing) can fix the error. */
  isRetryable(err: unknown): boolean;
  /** Subscribes to service and node events; `onError` is called once when the stream fails. */
  watchEvents(onEvent: (event: SwarmEvent) => void, onError: (err: Error) => void): { stop(): void };
  /** Starts watching the manifests; optional (without it, only resyncs reload them). */
  /** `onBurstStart` comes at the first change of a burst, `onChange` once the burst is over. */
  watchManifests?(onChange: () => void, onBurstStart?: () => void): Promise<{ close(): Promise<void> }>;
  logger: Logger;
}

export interface DaemonOptions {
  /** Full resync period. Default 60 s. */
  resyncIntervalMs?: number;
  /**
   * How long an observed state may be reused by later reconciles. A burst of 500 queued names
   * then costs a handful of `observe()` calls instead of 500. A snapshot is only reused for a name
   * enqueued (or last changed by us) *before* the snapshot was started, so an event or our own
   * write is never answered with older state; other apps may be seen up to this much out of date,
   * which the next event or resync corrects. The window counts from when the snapshot arrived: on
   * a loaded host one `observe()` can take longer than the window, and a window counted from its
   * start would expire before anyone could share it. Measured on a loaded 2-core host where one
   * create took 100-400 ms: a 200-file checkout cost ~65 observes with 100 ms from the start.
   * Default 500 ms.
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

/** The daemon's own view, for `/status`, `/readyz` and logs. */
export interface DaemonStatus {
  ready: boolean;
  reason?: string;
  dockerReachable: boolean;
  firstSyncDone: boolean;
  /** ISO time of the last full resync that reconciled every app without a retryable failure. */
  lastSuccessfulSync?: string;
  apps: StatusRow[];
}

interface Snapshot {
  /** Orders snapshots against triggers (a counter: two things can happen in one millisecond). */
  seq: number;
  /** When the observed state arrived; undefined while in flight. */
  doneAt: number | undefined;
  inFlight: boolean;
  promise: Promise<ObservedState>;
}

const DEFAULT_RECONNECT: BackoffOptions = { baseMs: 1000, factor: 2, capMs: 30_000 };

/**
 * The reconciling daemon, level-triggered like a controller-runtime controller: watch events,
 * Docker events and periodic resyncs only put app *names* in the work queue; reconciling a name
 * re-reads the observed state, plans the whole state, and executes only that app's actions.
 */
export class Daemon {
  readonly #deps: DaemonDeps;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #metrics: ControllerMetrics;
  readonly #queue: WorkQueue;
  readonly #resyncIntervalMs: number;
  readonly #observedCacheMs: number;
  readonly #reconnectBackoff: BackoffOptions;
  readonly #instance: string;

  #desired: DesiredState | undefined;
  #reloading: Promise<void> = Promise.resolve();
  #snapshot: Snapshot | undefined;
  /** Sequence number of each name's last trigger: its reconcile must see a snapshot started later. */
  readonly #triggeredSeq = new Map<string, number>();
  #seq = 0;
  /** The sequence of the current burst of manifest changes, once its snapshot was started. */
  #burstSeq: number | undefined;
  #lastObserved: ObservedState | undefined;
  #lastPlan: Plan | undefined;
  /**
   * The plan of one (observed snapshot, desired state) pair, with its actions grouped by app. The
   * planner is pure and plans the whole state, so every reconcile sharing a snapshot and a desired
   * state would compute the same plan: planning it once per pair instead of once per app turns a
   * start-up of 1000 apps from 1000 whole-state plans (O(N²): not ready within 300 s on a loaded
   * 2-core host) into a handful.
   */
  #planCache:
    { observed: ObservedState; desired: DesiredState; plan: Plan; byApp: Map<string, Action[]> } | undefined;
  /** The last execute error of each app, until it reconciles cleanly. */
  readonly #appErrors = new Map<string, string>();

  #dockerReachable = false;
  #dockerError: string | undefined;
  #firstSyncDone = false;
  #lastSuccessfulSync: number | undefined;
  /** Names of the current full resync not reconciled yet, and whether one of them must retry. */
  #round: { pending: Set<string>; failed: boolean } | undefined;

  #resyncRunning = false;
  #resyncAgain: string | undefined;
  #resyncTimer: TimerHandle;
  #events: { stop(): void } | undefined;
  #reconnectTimer: TimerHandle;
  #reconnectAttempts = 0;
  #manifestWatch: { close(): Promise<void> } | undefined;
  #watchStarting: Promise<void> = Promise.resolve();
  #reported = new Set<string>();
  #reportedManifestErrors = new Set<string>();
  #started = false;
  #stopping = false;
  #stopped: Promise<void> | undefined;

  constructor(deps: DaemonDeps, options: DaemonOptions = {}) {
    this.#deps = deps;
    this.#log = deps.logger;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#metrics = options.metrics ?? new ControllerMetrics();
    this.#resyncIntervalMs = options.resyncIntervalMs ?? 60_000;
    this.#observedCacheMs = options.observedCacheMs ?? 500;
    this.#reconnectBackoff = { ...DEFAULT_RECONNECT, ...options.reconnectBackoff };
    this.#instance = options.instance ?? "default";
    this.#queue = new WorkQueue({
      handler: (name) => this.#reconcile(name),
      concurrency: options.concurrency ?? 4,
      backoff: options.backoff ?? {},
      clock: this.#clock,
      random: this.#random,
      onProcessed: (name, outcome, durationMs) => this.#processed(name, outcome, durationMs),
    });
    this.#metrics.bind({
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
    this.#log.info({ resyncIntervalMs: this.#resyncIntervalMs }, "daemon starting");
    // Events first, so nothing that happens during the first list is missed.
    this.#connectEvents();
    this.#watchStarting = this.#startManifestWatch();
    await this.#watchStarting;
    await this.resync("start");
    this.#scheduleResync();
  }

  async #startManifestWatch(): Promise<void> {
    if (!this.#deps.watchManifests) return;
    try {
      const watch = await this.#deps.watchManifests(
        () => {
          const burst = this.#burstSeq;
          this.#burstSeq = undefined;
          void this.#reloadDesired("manifests changed", { enqueueChanges: true, notBefore: burst });
        },
        () => this.#manifestBurstStarted(),
      );
      // A stop that came while the watch was starting could not close it: its open handles
      // would keep the process alive after a SIGTERM until the forced exit.
      if (this.#stopping) await watch.close();
      else this.#manifestWatch = watch;
    } catch (error) {
      // Without the watch, the periodic resync still picks changes up, only later.
      this.#log.error({ err: error }, "could not watch the manifests; relying on the periodic resync");
    }
  }

  /**
   * Stops intake (events, watch, timers), lets the reconciles in flight finish, and resolves.
   * Queued names are dropped: the next start resyncs everything anyway.
   */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#stopping = true;
      this.#log.info({ inFlight: this.#queue.inFlightCount }, "daemon stopping");
      this.#clock.clearTimeout(this.#resyncTimer);
      this.#clock.clearTimeout(this.#reconnectTimer);
      this.#events?.stop();
      this.#events = undefined;
      await this.#watchStarting;
      await this.#manifestWatch?.close();
      await this.#queue.shutdown();
      await this.#reloading;
      this.#log.info("daemon stopped");
    })();
    return this.#stopped;
  }

  /** Waits until no name is queued or running (delayed retries do not count). For tests and `--once`. */
  async idle(): Promise<void> {
    await this.#reloading;
    await this.#queue.onIdle();
  }

  /** For `/readyz`: ready once Docker is reachable and the first full sync is done. */
  readiness(): { ready: boolean; reason?: string } {
    if (!this.#dockerReachable && this.#lastObserved === undefined && this.#dockerError === undefined) {
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

  /** One row per app, as `alacrity status` shows them, from the latest observed state and plan. */
  statusRows(): StatusRow[] {
    const observed = this.#lastObserved ?? { services: [], tasks: [], nodes: [], volumes: [], pins: [] };
    const rows = summarizeStatus(observed, this.#desired, this.#lastPlan, { instance: this.#instance });
    for (const row of rows) {
      const error = this.#appErrors.get(row.name);
      if (error !== undefined && row.state !== "invalid" && row.state !== "rejected") {
        row.state = "failed";
        row.reason = `last attempt failed: ${error}`;
      }
    }
    return rows;
  }

  status(): DaemonStatus {
    const readiness = this.readiness();
    const status: DaemonStatus = {
      ready: readiness.ready,
      dockerReachable: this.#dockerReachable,
      firstSyncDone: this.#firstSyncDone,
      apps: this.statusRows(),
    };
    if (readiness.reason !== undefined) status.reason = readiness.reason;
    if (this.#lastSuccessfulSync !== undefined) {
      status.lastSuccessfulSync = new Date(this.#lastSuccessfulSync).toISOString();
    }
    return status;
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
  async resync(reason: string): Promise<void> {
    if (this.#stopping) return;
    if (this.#resyncRunning) {
      this.#resyncAgain = reason;
      return;
    }
    this.#resyncRunning = true;
    try {
      let next: string | undefined = reason;
      while (next !== undefined && !this.#stopping) {
        this.#resyncAgain = undefined;
        await this.#resyncOnce(next);
        next = this.#resyncAgain;
      }
    } finally {
      this.#resyncRunning = false;
    }
  }

  async #resyncOnce(reason: string): Promise<void> {
    await this.#reloadDesired(reason, { enqueueChanges: false });
    const desired = this.#desired;
    if (!desired) return;
    let observed: ObservedState;
    const seq = this.#seq + 1;
    try {
      observed = await this.#observe(0, { fresh: true });
    } catch {
      return; // logged and counted in #observe; the reconnect loop or the next resync retries.
    }
    const names = new Set<string>(desired.apps.keys());
    for (const invalid of desired.invalid) if (invalid.name !== undefined) names.add(invalid.name);
    for (const service of observed.services) {
      if (isManagedBy(service, this.#instance)) names.add(service.name);
    }
    this.#log.debug({ reason, apps: names.size }, "full resync");
    this.#round = { pending: new Set(names), failed: false };
    if (names.size === 0) this.#finishRound();
    // The snapshot just taken is recent enough for these names (within the cache window).
    for (const name of names) this.#enqueue(name, seq - 1);
  }

  #scheduleResync(): void {
    if (this.#stopping) return;
    this.#resyncTimer = this.#clock.setTimeout(() => {
      void this.resync("periodic").finally(() => this.#scheduleResync());
    }, this.#resyncIntervalMs);
  }

  /** Queues `name`; its reconcile will use a snapshot newer than `notBefore` (default: now). */
  #enqueue(name: string, notBefore = ++this.#seq): void {
    if (this.#stopping) return;
    this.#triggeredSeq.set(name, Math.max(notBefore, this.#triggeredSeq.get(name) ?? 0));
    this.#queue.add(name);
  }

  /**
   * The first manifest change of a burst: the apps it changes must be reconciled against a
   * snapshot started after the change, and one started now is. Reading it while the watcher waits
   * for the burst to end (50 ms) and the directory reloads takes the observe (60-100 ms with 1000
   * services) off the edit → update path. Only once the first state is loaded (a start-up resync
   * observes on its own).
   */
  #manifestBurstStarted(): void {
    if (this.#stopping || this.#desired === undefined || this.#burstSeq !== undefined) return;
    const seq = ++this.#seq;
    this.#burstSeq = seq;
    // Failures are logged and counted in #observe; the reconcile observes again.
    this.#observe(seq).catch(() => undefined);
  }

  /**
   * Loads the manifests and enqueues the apps whose spec changed; serialised so loads never race.
   * `notBefore`: the sequence of the change, when a snapshot was started for it already.
   */
  #reloadDesired(
    reason: string,
    options: { enqueueChanges: boolean; notBefore?: number } = { enqueueChanges: true },
  ): Promise<void> {
    // Without a burst start (a resync), the snapshot for the changed apps is started now, read
    // while the directory is reloaded instead of after.
    const notBefore =
      options.enqueueChanges && this.#desired !== undefined ? (options.notBefore ?? ++this.#seq) : undefined;
    if (notBefore !== undefined && !this.#stopping) {
      // Failures are logged and counted in #observe; the reconcile observes again.
      this.#observe(notBefore).catch(() => undefined);
    }
    const run = this.#reloading.then(async () => {
      if (this.#stopping) return;
      let next: DesiredState;
      try {
        next = await this.#deps.loadDesired();
      } catch (error) {
        this.#log.error(
          { err: error, reason },
          "could not load the manifests; keeping the last loaded state",
        );
        return;
      }
      const previous = this.#desired;
      this.#desired = next;
      this.#reportManifestErrors(next);
      if (!previous || !options.enqueueChanges) return;
      const changed = changedApps(previous, next);
      if (changed.size > 0) this.#log.info({ reason, apps: [...changed].sort() }, "manifests changed");
      for (const name of changed) this.#enqueue(name, notBefore);
    });
    this.#reloading = run;
    return run;
  }

  /**
   * The observed state for a reconcile triggered at sequence `notBefore`: a snapshot started after
   * it and younger than the cache window is shared; otherwise a new one is taken.
   */
  #observe(notBefore: number, options: { fresh?: boolean } = {}): Promise<ObservedState> {
    const now = this.#clock.now();
    const current = this.#snapshot;
    if (
      !options.fresh &&
      current &&
      current.seq > notBefore &&
      (current.inFlight || now - (current.doneAt ?? now) <= this.#observedCacheMs)
    ) {
      return current.promise;
    }
    const snapshot: Snapshot = {
      seq: ++this.#seq,
      doneAt: undefined,
      inFlight: true,
      promise: this.#deps.observe(),
    };
    this.#snapshot = snapshot;
    snapshot.promise.then(
      (observed) => {
        snapshot.inFlight = false;
        snapshot.doneAt = this.#clock.now();
        this.#lastObserved = observed;
        this.#setDockerReachable(true);
      },
      (error: unknown) => {
        snapshot.inFlight = false;
        if (this.#snapshot === snapshot) this.#snapshot = undefined;
        this.#metrics.dockerErrors.inc();
        this.#setDockerReachable(false, error);
      },
    );
    return snapshot.promise;
  }

  #setDockerReachable(reachable: boolean, error?: unknown): void {
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

  async #reconcile(name: string): Promise<HandlerOutcome> {
    const reconcileId = randomUUID().slice(0, 8);
    const log = this.#log.child({ app: name, reconcileId });
    const desired = this.#desired;
    if (!desired) return { result: "retry", error: new Error("the manifests have not been loaded yet") };

    let observed: ObservedState;
    try {
      observed = await this.#observe(this.#triggeredSeq.get(name) ?? 0);
    } catch (error) {
      return { result: "retry", error };
    }

    let planned: { plan: Plan; byApp: Map<string, Action[]> };
    try {
      planned = this.#planFor(desired, observed);
    } catch (error) {
      // A planner that throws has a bug; retrying the same input would throw again.
      log.error({ err: error }, "planning failed");
      return { result: "terminal", error };
    }
    const plan = planned.plan;

    for (const action of planned.byApp.get(name) ?? []) {
      const started = this.#clock.now();
      try {
        await this.#deps.execute(action, observed);
      } catch (error) {
        this.#triggeredSeq.set(name, ++this.#seq);
        const retryable = this.#deps.isRetryable(error);
        const message = errorMessage(error);
        this.#appErrors.set(name, message);
        this.#metrics.dockerErrors.inc();
        this.#metrics.actions.inc({ kind: action.kind, result: "error" });
        log[retryable ? "warn" : "error"](
          {
            ...describeAction(action),
            result: retryable ? "retry" : "failed",
            durationMs: this.#clock.now() - started,
            error: message,
          },
          `${action.kind} failed`,
        );
        // The app's later actions depend on this one (a pin precedes its create): stop here.
        return { result: retryable ? "retry" : "terminal", error };
      }
      // This app's next reconcile must see what we just changed.
      this.#triggeredSeq.set(name, ++this.#seq);
      this.#metrics.actions.inc({ kind: action.kind, result: "ok" });
      log.info(
        { ...describeAction(action), result: "ok", durationMs: this.#clock.now() - started },
        `${action.kind} done`,
      );
    }
    this.#appErrors.delete(name);
    if (plan.rejections.some((r) => r.app === name)) return { result: "terminal" };
    return { result: "ok" };
  }

  /** The plan of this snapshot and desired state, planned (and its findings reported) once. */
  #planFor(desired: DesiredState, observed: ObservedState): { plan: Plan; byApp: Map<string, Action[]> } {
    const cached = this.#planCache;
    if (cached && cached.observed === observed && cached.desired === desired) return cached;
    const plan = this.#deps.plan(desired, observed);
    const byApp = new Map<string, Action[]>();
    for (const action of plan.actions) {
      const list = byApp.get(action.app);
      if (list) list.push(action);
      else byApp.set(action.app, [action]);
    }
    this.#planCache = { observed, desired, plan, byApp };
    this.#lastPlan = plan;
    this.#reportFindings(plan);
    return this.#planCache;
  }

  #processed(name: string, outcome: HandlerOutcome, durationMs: number): void {
    this.#metrics.reconciles.inc({ result: outcome.result });
    this.#metrics.reconcileDuration.observe(durationMs / 1000);
    if (outcome.result === "retry") {
      this.#log.debug({ app: name, failures: this.#queue.failures(name) }, "reconcile will be retried");
    }
    const round = this.#round;
    if (round?.pending.delete(name)) {
      if (outcome.result === "retry") round.failed = true;
      if (round.pending.size === 0) this.#finishRound();
    }
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

  /** Logs rejections and warnings when they appear (not on every resync), and when they clear. */
  #reportFindings(plan: Plan): void {
    const current = new Map<string, () => void>();
    for (const r of plan.rejections) {
      current.set(`rejection\u0000${r.app}\u0000${r.rule}\u0000${r.message}`, () =>
        this.#log.warn({ app: r.app, rule: r.rule, position: r.position }, `rejected: ${r.message}`),
      );
    }
    for (const w of plan.warnings) {
      current.set(`warning\u0000${w.app ?? ""}\u0000${w.message}`, () =>
        this.#log.warn(w.app === undefined ? {} : { app: w.app }, w.message),
      );
    }
    for (const [key, log] of current) if (!this.#reported.has(key)) log();
    for (const key of this.#reported) {
      if (!current.has(key) && key.startsWith("rejection")) {
        const [, app, rule] = key.split("\u0000");
        this.#log.info({ app, rule }, "rejection cleared");
      }
    }
    this.#reported = new Set(current.keys());
  }

  #reportManifestErrors(desired: DesiredState): void {
    const current = new Set(desired.errors.map(formatError));
    for (const text of current) {
      if (!this.#reportedManifestErrors.has(text))
        this.#log.warn({ manifestError: text }, "invalid manifest");
    }
    this.#reportedManifestErrors = current;
  }

  #connectEvents(): void {
    if (this.#stopping) return;
    try {
      this.#events = this.#deps.watchEvents(
        (event) => this.#onEvent(event),
        (error) => this.#onEventsFailed(error),
      );
    } catch (error) {
      this.#onEventsFailed(error instanceof Error ? error : new Error(errorMessage(error)));
    }
  }

  #onEvent(event: SwarmEvent): void {
    if (this.#stopping) return;
    if (event.type === "node") {
      // A node going down or coming back can change any app's status or placement.
      void this.resync(`node ${event.action}`);
      return;
    }
    const name = event.name ?? this.#lastObserved?.services.find((s) => s.id === event.id)?.name;
    if (name === undefined) void this.resync(`service ${event.action}`);
    else if (this.#concerns(name)) this.#enqueue(name);
  }

  /**
   * Whether a service event can matter to this instance: the name is a desired app, or a service
   * this instance managed when last observed. Events of other instances' and unmanaged services
   * are ignored, so a shared Swarm's traffic does not make this daemon re-observe; the periodic
   * resync still catches anything a skipped event could have meant.
   */
  #concerns(name: string): boolean {
    if (this.#desired === undefined || this.#lastObserved === undefined) return true;
    if (this.#desired.apps.has(name) || this.#desired.invalid.some((i) => i.name === name)) return true;
    const service = this.#lastObserved.services.find((s) => s.name === name);
    return service !== undefined && isManagedBy(service, this.#instance);
  }

  #onEventsFailed(error: Error): void {
    if (this.#stopping) return;
    this.#events?.stop();
    this.#events = undefined;
    this.#metrics.dockerErrors.inc();
    this.#log.warn({ error: error.message }, "Docker event stream lost; reconnecting with backoff");
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#stopping) return;
    this.#reconnectAttempts++;
    const delay = backoffDelay(this.#reconnectAttempts, this.#reconnectBackoff, this.#random);
    this.#reconnectTimer = this.#clock.setTimeout(() => void this.#reconnect(), delay);
  }

  /** Probes Docker with one observe; when it answers, subscribes again and resyncs (events were missed). */
  async #reconnect(): Promise<void> {
    if (this.#stopping) return;
    try {
      await this.#observe(0, { fresh: true });
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#reconnectAttempts = 0;
    this.#log.info("reconnected to Docker; resyncing");
    this.#connectEvents();
    await this.resync("reconnected");
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === "string" ? error : JSON.stringify(error);
}

/** The loggable part of an action: never field values (env values may be secrets). */
function describeAction(action: Action): Record<string, unknown> {
  const base: Record<string, unknown> = { action: action.kind, reason: action.reason };
  if (action.kind === "update") base.changed = action.changes.map((c) => c.field);
  if (action.kind === "scale") Object.assign(base, { from: action.from, to: action.to });
  if (action.kind === "pin") base.node = action.hostname;
  return base;
}
