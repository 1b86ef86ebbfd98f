import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { Daemon } from "../../../src/controller/daemon.js";
import type { DaemonDeps } from "../../../src/controller/daemonDeps.js";
import type { AppSpec, DesiredState } from "../../../src/manifest/types.js";
import { plan } from "../../../src/reconcile/plan.js";
import type { Action, Plan, ResourceAction } from "../../../src/reconcile/types.js";
import type { SwarmEvent } from "../../../src/swarm/events.js";
import type { ObservedService, ObservedState } from "../../../src/swarm/types.js";
import { ManualClock } from "../../support/manualClock.js";
import {
  aSwarm,
  anApp,
  desiredOf,
  LABEL,
  OPTIONS,
  orphanService,
  serviceFor,
  unmanagedService,
} from "../reconcile/builders.js";
import { applyPlan, applyResources } from "../reconcile/memorySwarm.js";

// In-memory fakes of the daemon's *interface* (not of Docker): they prove the orchestration —
// what is enqueued, which actions run, how failures are classified and retried. The planner is the
// real one (it is pure); the Swarm applies actions with the reconcile tests' in-memory model.

function app(name: string, overrides: Partial<AppSpec> = {}): AppSpec {
  return { ...anApp(name).image("img:1").build(), ...overrides };
}

/** A one-node Swarm, changed by `execute` as the executor would change the real one. */
class FakeSwarm {
  // The default network exists, as after the first apply: these tests are about apps.
  state: ObservedState = aSwarm().withNode("node-1").withDefaultNetwork().build();

  observeCalls = 0;
  down = false;
  executed: Action[] = [];
  resourceActions: ResourceAction[] = [];
  /** Per app: errors to throw on its next executes, in order. */
  failures = new Map<string, Error[]>();

  add(service: ObservedService): void {
    this.state.services.push(service);
  }

  has(name: string): boolean {
    return this.state.services.some((s) => s.name === name);
  }

  names(): string[] {
    return this.state.services.map((s) => s.name).sort();
  }

  service(name: string): ObservedService {
    const service = this.state.services.find((s) => s.name === name);
    if (!service) throw new Error(`no service ${name}`);
    return service;
  }

  /** Someone removes the service by hand. */
  removeByHand(name: string): void {
    this.state.services = this.state.services.filter((s) => s.name !== name);
  }

  observe(): Promise<ObservedState> {
    this.observeCalls++;
    if (this.down) return Promise.reject(new Error("connect ECONNREFUSED /var/run/docker.sock"));
    return Promise.resolve(structuredClone(this.state));
  }

  /** Networks, secrets and configs (the default network, here), applied as Swarm would. */
  executeResource(action: ResourceAction): Promise<void> {
    this.resourceActions.push(action);
    this.state = applyResources(this.state, [action]);
    return Promise.resolve();
  }

  execute(action: Action): Promise<void> {
    this.executed.push(action);
    const failure = this.failures.get(action.app)?.shift();
    if (failure) return Promise.reject(failure);
    try {
      this.state = applyPlan(this.state, [action]);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return Promise.resolve();
  }
}

const realPlan = (desired: DesiredState, observed: ObservedState): Plan => plan(desired, observed, OPTIONS);

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}

interface Harness {
  daemon: Daemon;
  swarm: FakeSwarm;
  timers: ManualClock;
  logs: Record<string, unknown>[];
  logText: () => string;
  setDesired: (apps: AppSpec[]) => void;
  emit: (event: SwarmEvent) => void;
  failEvents: (error: Error) => void;
  watchCalls: () => number;
  manifestChanged: () => void;
  manifestBurstStarted: () => void;
  planCalls: () => number;
  setDesiredState: (state: DesiredState) => void;
  /** Replaces the planner (to make it throw). */
  setPlanner: (fn: typeof realPlan) => void;
  /** Makes the next watchEvents call throw synchronously. */
  breakWatch: () => void;
}

let current: Harness | undefined;

function harness(initial: AppSpec[], options: { concurrency?: number } = {}): Harness {
  const swarm = new FakeSwarm();
  const timers = new ManualClock(1_000_000);
  const lines: string[] = [];
  const logger = pino(
    { level: "debug" },
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    }),
  );
  let desired = desiredOf(initial);
  let onEvent: ((e: SwarmEvent) => void) | undefined;
  let onError: ((e: Error) => void) | undefined;
  let watchCalls = 0;
  let onManifestChange: (() => void) | undefined;
  let onManifestBurst: (() => void) | undefined;
  let planCalls = 0;
  let planner = realPlan;
  let watchBroken = false;
  const deps: DaemonDeps = {
    loadDesired: () => Promise.resolve(desired),
    observe: () => swarm.observe(),
    plan: (d, o) => {
      planCalls++;
      return planner(d, o);
    },
    execute: (a) => swarm.execute(a),
    executeResource: (a) => swarm.executeResource(a),
    isRetryable: (err) => err instanceof Error && /out of sequence|ECONNREFUSED/.test(err.message),
    describeError: (err) => (err instanceof Error ? err.message : String(err)),
    watchEvents: (ev, er) => {
      watchCalls++;
      if (watchBroken) {
        watchBroken = false;
        throw new Error("connect ECONNREFUSED");
      }
      onEvent = ev;
      onError = er;
      return { stop: () => (onEvent = undefined) };
    },
    watchManifests: (onChange, onBurstStart) => {
      onManifestChange = onChange;
      onManifestBurst = onBurstStart;
      return Promise.resolve({ close: () => Promise.resolve() });
    },
    logger,
  };
  const daemon = new Daemon(deps, {
    clock: timers,
    random: () => 0.5,
    concurrency: options.concurrency ?? 4,
    resyncIntervalMs: 60_000,
  });
  current = {
    daemon,
    swarm,
    timers,
    get logs() {
      return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    logText: () => lines.join(""),
    setDesired: (apps) => (desired = desiredOf(apps)),
    emit: (e) => onEvent?.(e),
    failEvents: (e) => onError?.(e),
    watchCalls: () => watchCalls,
    manifestChanged: () => onManifestChange?.(),
    manifestBurstStarted: () => onManifestBurst?.(),
    planCalls: () => planCalls,
    setDesiredState: (state) => (desired = state),
    setPlanner: (fn) => (planner = fn),
    breakWatch: () => (watchBroken = true),
  };
  return current;
}

/** Reconciles finished so far, whatever their result (from the daemon's metrics). */
async function reconciled(h: Harness): Promise<number> {
  const text = await h.daemon.metrics.registry.metrics();
  let total = 0;
  for (const m of text.matchAll(/^alacrity_reconciles_total\{[^}]*\} (\d+)$/gm)) total += Number(m[1]);
  return total;
}

async function settle(h: Harness): Promise<void> {
  await flush();
  await h.daemon.idle();
  await flush();
}

afterEach(async () => {
  await current?.daemon.stop();
  current = undefined;
});

describe("Daemon", () => {
  it("resyncs at start: creates new apps, removes orphaned managed ones, never touches unmanaged ones", async () => {
    const h = harness([app("web"), app("api")]);
    h.swarm.add(orphanService("old"));
    h.swarm.add(unmanagedService("theirs"));
    expect(h.daemon.readiness()).toEqual({ ready: false, reason: "Docker has not answered yet" });
    await h.daemon.start();
    await settle(h);

    const done = h.swarm.executed.map((a) => `${a.kind}:${a.app}`).sort();
    expect(done).toEqual(["create:api", "create:web", "remove:old"]);
    expect(h.swarm.names()).toEqual(["api", "theirs", "web"]);
    expect(h.daemon.readiness()).toEqual({ ready: true });
    expect(h.daemon.status().lastSuccessfulSync).toBe(new Date(h.timers.now()).toISOString());
  });

  it("observes a handful of times, not once per app, for a burst of 500 names", async () => {
    const names = Array.from({ length: 500 }, (_, i) => `app-${i}`);
    const h = harness(names.map((n) => app(n)));
    for (const n of names) h.swarm.add(serviceFor(app(n)));
    await h.daemon.start();
    await settle(h);
    const afterStart = h.swarm.observeCalls;
    expect(afterStart).toBeLessThanOrEqual(2);
    for (const n of names) h.emit({ type: "service", action: "update", id: "", name: n });
    await settle(h);
    // The first workers start while the burst is still arriving, and each must see state observed
    // after its own event; the rest share one snapshot. So at most concurrency (4) + 1 observes.
    expect(h.swarm.observeCalls - afterStart).toBeLessThanOrEqual(5);
    // The whole state is planned once per snapshot, not once per app (1000 reconciles).
    expect(h.planCalls()).toBeLessThanOrEqual(h.swarm.observeCalls);
    expect(await reconciled(h)).toBe(1000);
  });

  it("reconciles an event's app with state observed after the event", async () => {
    const h = harness([app("web")]);
    await h.daemon.start();
    await settle(h);
    const calls = h.swarm.observeCalls;
    // Someone removes the service by hand; the event must not be answered from the cached state.
    h.swarm.removeByHand("web");
    h.emit({ type: "service", action: "remove", id: "svc-1", name: "web" });
    await settle(h);
    expect(h.swarm.observeCalls).toBe(calls + 1);
    expect(h.swarm.executed.map((a) => `${a.kind}:${a.app}`)).toEqual(["create:web", "create:web"]);
  });

  it("executes only the actions of the app being reconciled", async () => {
    const h = harness([app("a"), app("b")]);
    await h.daemon.start();
    await settle(h);
    h.swarm.executed = [];
    // Both apps change, but only a's event arrives: only a is touched until b is enqueued.
    h.setDesired([app("a", { image: "img:2" }), app("b", { image: "img:2" })]);
    await h.daemon.resync("test reload"); // reload only; enqueues every app
    await settle(h);
    expect(h.swarm.executed.map((x) => x.app).sort()).toEqual(["a", "b"]);

    h.swarm.executed = [];
    h.swarm.service("a").fields.image = "drifted";
    h.swarm.service("b").fields.image = "drifted";
    h.emit({ type: "service", action: "update", id: "", name: "a" });
    await settle(h);
    expect(h.swarm.executed.map((x) => `${x.kind}:${x.app}`)).toEqual(["update:a"]);
  });

  it("pins before creating, and stops the app's actions at the first failure", async () => {
    const h = harness([app("db", { persistent: true })]);
    h.swarm.failures.set("db", [new Error("config name conflicts")]);
    await h.daemon.start();
    await settle(h);
    expect(h.swarm.executed.map((a) => a.kind)).toEqual(["pin"]);
    // Terminal: nothing is scheduled for it.
    h.timers.advance(30_000);
    await settle(h);
    expect(h.swarm.executed.map((a) => a.kind)).toEqual(["pin"]);
    // An input change re-runs it: pin first, then create.
    h.manifestChanged();
    h.setDesired([app("db", { persistent: true, image: "img:2" })]);
    h.manifestChanged();
    await settle(h);
    expect(h.swarm.executed.map((a) => a.kind)).toEqual(["pin", "pin", "create"]);
  });

  it("retries retryable failures with backoff and counts results", async () => {
    const h = harness([app("web")]);
    h.swarm.failures.set("web", [new Error("update out of sequence"), new Error("update out of sequence")]);
    await h.daemon.start();
    await settle(h);
    expect(h.swarm.executed).toHaveLength(1);
    // Equal jitter with random 0.5: 100 ms base → 75 ms; the resync timer (60 s) is also pending.
    expect(h.timers.pendingDelays().sort((a, b) => a - b)).toEqual([75, 60_000]);
    h.timers.advance(75);
    await settle(h);
    expect(h.timers.pendingDelays().sort((a, b) => a - b)).toEqual([150, 60_000]);
    h.timers.advance(150);
    await settle(h);
    expect(h.swarm.executed.map((a) => a.kind)).toEqual(["create", "create", "create"]);
    expect(h.swarm.has("web")).toBe(true);
    const text = await h.daemon.metrics.registry.metrics();
    expect(text).toContain('alacrity_reconciles_total{result="retry"} 2');
    expect(text).toContain('alacrity_reconciles_total{result="ok"} 1');
    expect(text).toContain('alacrity_actions_total{kind="create",result="error"} 2');
    expect(text).toContain('alacrity_actions_total{kind="create",result="ok"} 1');
    expect(text).toContain("alacrity_docker_errors_total 2");
  });

  it("logs one structured line per action, without env values", async () => {
    const h = harness([app("web", { env: { PASSWORD: "hunter2-secret" } })]);
    await h.daemon.start();
    await settle(h);
    h.setDesired([app("web", { env: { PASSWORD: "new-secret-value" } })]);
    h.manifestChanged();
    await settle(h);
    const actionLines = h.logs.filter((l) => "action" in l);
    expect(actionLines).toHaveLength(2);
    for (const line of actionLines) {
      expect(line).toMatchObject({ app: "web", result: "ok" });
      expect(typeof line.reconcileId).toBe("string");
      expect(typeof line.durationMs).toBe("number");
      expect(typeof line.reason).toBe("string");
    }
    expect(actionLines.map((l) => l.action)).toEqual(["create", "update"]);
    // Field names only (the planner may list its own labels beside the env key).
    expect(actionLines[1]!.changed).toContain("env.PASSWORD");
    expect(h.logText()).not.toContain("hunter2-secret");
    expect(h.logText()).not.toContain("new-secret-value");
  });

  it("reloads the manifests on a watch signal and enqueues only the apps that changed", async () => {
    const h = harness([app("a"), app("b"), app("c")]);
    await h.daemon.start();
    await settle(h);
    const plans = h.planCalls();
    const observes = h.swarm.observeCalls;
    const reconciles = await reconciled(h);
    h.swarm.executed = [];
    h.setDesired([app("a"), app("b", { image: "img:2" }), app("d")]);
    h.manifestChanged();
    await settle(h);
    // b changed, c removed, d added; and the networks, secrets and configs, which c's removal
    // may have left unused.
    expect(await reconciled(h)).toBe(reconciles + 4);
    // One snapshot, read while the directory was reloaded, and one plan serve the three; the
    // resources' reconcile after c's removal reads and plans once more, after that removal.
    expect(h.swarm.observeCalls - observes).toBe(2);
    expect(h.planCalls() - plans).toBe(2);
    expect(h.swarm.executed.map((x) => `${x.kind}:${x.app}`).sort()).toEqual([
      "create:d",
      "remove:c",
      "update:b",
    ]);
  });

  it("reads the Swarm at the first change of a burst, and the reconcile after the burst uses that read", async () => {
    const h = harness([app("a"), app("b")]);
    await h.daemon.start();
    await settle(h);
    const observes = h.swarm.observeCalls;
    h.swarm.executed = [];
    h.manifestBurstStarted();
    // Started at once, before the burst is over.
    expect(h.swarm.observeCalls - observes).toBe(1);
    h.manifestBurstStarted(); // later events of the same burst start nothing more
    h.setDesired([app("a"), app("b", { image: "img:2" })]);
    h.manifestChanged();
    await settle(h);
    expect(h.swarm.observeCalls - observes).toBe(1);
    expect(h.swarm.executed.map((x) => `${x.kind}:${x.app}`)).toEqual(["update:b"]);

    // The next burst gets a snapshot of its own (started after its change).
    h.manifestBurstStarted();
    h.setDesired([app("a", { image: "img:3" }), app("b", { image: "img:2" })]);
    h.manifestChanged();
    await settle(h);
    expect(h.swarm.observeCalls - observes).toBe(2);
    expect(h.swarm.executed.map((x) => `${x.kind}:${x.app}`)).toEqual(["update:b", "update:a"]);
  });

  it("logs a rejection once, not on every resync, and again after it cleared and came back", async () => {
    const h = harness([app("db", { persistent: true, replicas: 3 })]);
    await h.daemon.start();
    await settle(h);
    for (let i = 0; i < 3; i++) {
      h.timers.advance(60_000);
      await settle(h);
    }
    const rejected = () => h.logs.filter((l) => String(l.msg).startsWith("rejected:")).length;
    expect(h.planCalls()).toBeGreaterThanOrEqual(4);
    expect(rejected()).toBe(1);
    h.setDesired([app("db")]);
    h.manifestChanged();
    await settle(h);
    expect(h.logs.some((l) => l.msg === "rejection cleared")).toBe(true);
    h.setDesired([app("db", { persistent: true, replicas: 3 })]);
    h.manifestChanged();
    await settle(h);
    expect(rejected()).toBe(2);
    expect(h.daemon.statusRows().find((r) => r.name === "db")?.state).toBe("rejected");
  });

  it("resyncs every app on a node event and periodically", async () => {
    const h = harness([app("a"), app("b")]);
    await h.daemon.start();
    await settle(h);
    const plans = h.planCalls();
    const reconciles = await reconciled(h);
    h.emit({ type: "node", action: "update", id: "n1" });
    await settle(h);
    expect(await reconciled(h)).toBe(reconciles + 2);
    // Both apps share the resync's fresh snapshot, so the state is planned once for them.
    expect(h.planCalls() - plans).toBe(1);
    h.timers.advance(60_000);
    await settle(h);
    expect(await reconciled(h)).toBe(reconciles + 4);
    expect(h.planCalls() - plans).toBe(2);
  });

  it("plans again when the desired state changes within one snapshot", async () => {
    const h = harness([app("a"), app("b")]);
    await h.daemon.start();
    await settle(h);
    const plans = h.planCalls();
    h.setDesired([app("a", { image: "img:2" }), app("b")]);
    h.manifestChanged();
    await settle(h);
    expect(h.planCalls() - plans).toBe(1);
    expect(h.swarm.executed.filter((x) => x.kind === "update").map((x) => x.app)).toEqual(["a"]);
  });

  it("keeps running when Docker goes away, reconnects with backoff, and resyncs", async () => {
    const h = harness([app("a")]);
    await h.daemon.start();
    await settle(h);
    expect(h.watchCalls()).toBe(1);

    h.swarm.down = true;
    h.failEvents(new Error("the stream ended"));
    // Reconnect backoff: 1 s base, equal jitter with random 0.5 → 750 ms, then 1500 ms.
    expect(h.timers.pendingDelays()).toContain(750);
    h.timers.advance(750);
    await settle(h);
    expect(h.daemon.readiness().ready).toBe(false);
    expect(h.daemon.readiness().reason).toContain("Docker is not reachable: connect ECONNREFUSED");
    expect(h.timers.pendingDelays()).toContain(1500);
    expect(h.watchCalls()).toBe(1);

    // While Docker is away, the app is removed by hand; after reconnecting, the resync repairs it.
    h.swarm.removeByHand("a");
    h.swarm.down = false;
    h.timers.advance(1500);
    await settle(h);
    expect(h.watchCalls()).toBe(2);
    expect(h.daemon.readiness()).toEqual({ ready: true });
    expect(h.swarm.has("a")).toBe(true);
  });

  it("is not ready before the first sync, and becomes ready once Docker answers at start", async () => {
    const h = harness([app("a")]);
    h.swarm.down = true;
    await h.daemon.start();
    await settle(h);
    expect(h.daemon.readiness().ready).toBe(false);
    h.swarm.down = false;
    h.timers.advance(60_000);
    await settle(h);
    expect(h.daemon.readiness()).toEqual({ ready: true });
    expect(h.swarm.has("a")).toBe(true);
  });

  it("stop() lets in-flight work finish, stops events and timers, and takes no new work", async () => {
    const h = harness([app("a")]);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const execute = h.swarm.execute.bind(h.swarm);
    h.swarm.execute = async (action) => {
      await gate;
      return execute(action);
    };
    await h.daemon.start();
    await flush();
    let stopped = false;
    const stopping = h.daemon.stop().then(() => (stopped = true));
    await flush();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(h.swarm.has("a")).toBe(true);
    const plans = h.planCalls();
    h.emit({ type: "service", action: "update", id: "", name: "a" });
    h.timers.advance(120_000);
    await flush();
    expect(h.planCalls()).toBe(plans);
    expect(h.timers.pendingDelays()).toEqual([]);
  });

  it("treats a planner that throws as terminal: logged, not retried", async () => {
    const h = harness([app("a")]);
    h.setPlanner(() => {
      throw new Error("planner bug");
    });
    await h.daemon.start();
    await settle(h);
    expect(h.logs.some((l) => l.msg === "planning failed" && l.app === "a")).toBe(true);
    expect(h.timers.pendingDelays()).toEqual([60_000]);
    expect(await h.daemon.metrics.registry.metrics()).toContain(
      'alacrity_reconciles_total{result="terminal"} 1',
    );
  });

  it("logs manifest errors once per change, and enqueues an app that became invalid", async () => {
    const h = harness([app("a")]);
    await h.daemon.start();
    await settle(h);
    const error = {
      file: "a.yaml",
      line: 7,
      col: 13,
      path: "spec.replicas",
      message: "must be >= 0 (got -1)",
    };
    const broken: DesiredState = {
      ...desiredOf([]),
      invalid: [{ name: "a", file: "a.yaml", errors: [error] }],
      errors: [error],
      failedFiles: new Set(["a.yaml"]),
    };
    const plans = h.planCalls();
    h.setDesiredState(broken);
    h.manifestChanged();
    await settle(h);
    h.timers.advance(60_000);
    await settle(h);
    const invalidLines = h.logs.filter((l) => l.msg === "invalid manifest");
    expect(invalidLines).toHaveLength(1);
    expect(invalidLines[0]!.manifestError).toBe("a.yaml:7:13: spec.replicas: must be >= 0 (got -1)");
    expect(h.planCalls()).toBeGreaterThan(plans);
    expect(h.daemon.statusRows().find((r) => r.name === "a")?.state).toBe("invalid");
    expect(h.swarm.has("a")).toBe(true);
  });

  it("reconnects when subscribing to events throws at once", async () => {
    const h = harness([app("a")]);
    h.breakWatch();
    await h.daemon.start();
    await settle(h);
    expect(h.watchCalls()).toBe(1);
    expect(h.timers.pendingDelays()).toContain(750);
    h.timers.advance(750);
    await settle(h);
    expect(h.watchCalls()).toBe(2);
  });
});

describe("Daemon: an update Swarm rolled back", () => {
  const REASON = "task: non-zero exit (137): dockerexec: unhealthy container";

  /** web runs v1 again: Swarm rolled back the update to v2 (the manifest's spec). */
  function rolledBack(h: Harness): void {
    const v1 = serviceFor(app("web", { image: "img:1" }));
    const v2hash = serviceFor(app("web", { image: "img:2" })).fields.labels[LABEL.hash];
    v1.updateStatus = { state: "rollback_completed", message: "rollback completed" };
    h.swarm.add(v1);
    h.swarm.state.tasks.push({
      id: "t-failed",
      serviceId: v1.id,
      desiredState: "shutdown",
      state: "failed",
      message: "starting",
      error: REASON,
      timestamp: "2026-12-02T07:52:48Z",
      ...(v2hash ? { specHash: v2hash } : {}),
    });
  }

  const rollbackCount = async (h: Harness): Promise<string | undefined> =>
    /^alacrity_rollbacks_total\{app="web"\} (\d+)$/m.exec(await h.daemon.metrics.registry.metrics())?.[1];

  it("records the hold, logs it once at warn and counts it once; then leaves the app alone", async () => {
    const h = harness([app("web", { image: "img:2" })]);
    rolledBack(h);
    await h.daemon.start();
    await settle(h);
    for (let i = 0; i < 3; i++) {
      h.emit({ type: "service", action: "update", id: "svc-web", name: "web" });
      await settle(h);
    }
    await h.daemon.resync("test");
    await settle(h);

    expect(h.swarm.executed.map((a) => a.kind)).toEqual(["hold"]);
    const warnings = h.logs.filter((l) => l.level === 40 && l.app === "web");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ swarmReason: REASON });
    expect(String(warnings[0]?.msg)).toContain("alacrity apply --retry web");
    expect(await rollbackCount(h)).toBe("1");

    // Nothing re-enqueues it: no reconcile happens without an event or a resync.
    const done = await reconciled(h);
    h.timers.advance(30_000);
    await settle(h);
    expect(await reconciled(h)).toBe(done);
  });

  it("counts nothing for an app whose update was not rolled back", async () => {
    const h = harness([app("web", { image: "img:2" })]);
    h.swarm.add(serviceFor(app("web", { image: "img:1" })));
    await h.daemon.start();
    await settle(h);
    expect(h.swarm.executed.map((a) => a.kind)).toEqual(["update"]);
    expect(await rollbackCount(h)).toBeUndefined();
  });
});
