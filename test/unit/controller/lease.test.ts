import pino from "pino";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { Daemon } from "../../../src/controller/daemon.js";
import type { DaemonDeps } from "../../../src/controller/daemonDeps.js";
import { LeaseElector } from "../../../src/controller/lease.js";
import { leaseIdentity } from "../../../src/controller/leaseTypes.js";
import { registerLeaseMetrics } from "../../../src/controller/leaseMetrics.js";
import { LeasedDaemon } from "../../../src/controller/leaseDaemon.js";
import { ControllerMetrics } from "../../../src/controller/metrics.js";
import type { DesiredState } from "../../../src/manifest/types.js";
import { DockerError } from "../../../src/swarm/errors.js";
import type { LeaseStore } from "../../../src/controller/leaseTypes.js";
import type { LeaseRecord, StoredLease } from "../../../src/swarm/leaseRecord.js";
import { ManualClock, type ClockScope } from "../../support/manualClock.js";

const logger = pino({ level: "silent" });
const DURATION = 15_000;

/** Each simulated controller process gets its own scope of the shared clock, which a "crash" kills. */
const scopes = new WeakMap<ManualClock, Map<string, ClockScope>>();
function processClock(clock: ManualClock, name: string): ClockScope {
  const byName = scopes.get(clock) ?? new Map<string, ClockScope>();
  scopes.set(clock, byName);
  const scope = byName.get(name) ?? clock.scope();
  byName.set(name, scope);
  return scope;
}

/** An in-memory compare-and-set register, like the Swarm service's version index. */
class MemoryStore implements LeaseStore {
  record: StoredLease | undefined;
  version = 100;
  writes = 0;

  read(): Promise<StoredLease | undefined> {
    return Promise.resolve(this.record && { ...this.record });
  }

  write(record: LeaseRecord, version: number | undefined): Promise<"ok" | "conflict"> {
    if (version !== (this.record?.version ?? undefined)) return Promise.resolve("conflict");
    this.writes++;
    this.version += 7; // Swarm's index is global: it jumps, never counts our writes one by one
    this.record = { ...record, version: this.version };
    return Promise.resolve("ok");
  }
}

/** A controller's view of the store that can fail or hang, as a Docker engine can. */
class FlakyStore implements LeaseStore {
  failing = false;
  constructor(readonly inner: LeaseStore) {}
  read(): Promise<StoredLease | undefined> {
    return this.failing ? Promise.reject(new Error("cannot reach Docker")) : this.inner.read();
  }
  write(record: LeaseRecord, version: number | undefined): Promise<"ok" | "conflict"> {
    return this.failing
      ? Promise.reject(new Error("cannot reach Docker"))
      : this.inner.write(record, version);
  }
}

interface Controller {
  name: string;
  elector: LeaseElector;
  store: FlakyStore;
  events: { at: number; event: "started" | "stopped"; reason?: string }[];
}

function controller(clock: ManualClock, store: LeaseStore, name: string, durationMs = DURATION): Controller {
  const events: Controller["events"] = [];
  const flaky = new FlakyStore(store);
  const elector = new LeaseElector({
    store: flaky,
    identity: name,
    durationMs,
    logger,
    clock: processClock(clock, name),
    onStartedLeading: () => {
      events.push({ at: clock.now(), event: "started" });
    },
    onStoppedLeading: (reason) => {
      events.push({ at: clock.now(), event: "stopped", reason });
    },
  });
  return { name, elector, store: flaky, events };
}

describe("LeaseElector", () => {
  it("takes a lease nobody holds at once, and renews it every third of the duration", async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    const a = controller(clock, store, "host-a/1/aaaaaa");
    a.elector.start();
    await clock.advanceAsync(0);
    expect(a.events).toEqual([{ at: 0, event: "started" }]);
    expect(store.record).toMatchObject({ holder: "host-a/1/aaaaaa", durationSeconds: 15 });
    expect(a.elector.status()).toMatchObject({ leader: true, holder: "host-a/1/aaaaaa", terms: 1 });

    await clock.advanceAsync(60_000);
    expect(store.writes).toBe(1 + 60_000 / 5_000);
    expect(a.events).toHaveLength(1);
  });

  it("lets exactly one of two controllers lead, without flapping", async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    const a = controller(clock, store, "a");
    const b = controller(clock, store, "b");
    a.elector.start();
    b.elector.start();
    await clock.advanceAsync(120_000);
    const leaders = [a, b].filter((c) => c.elector.isLeader);
    expect(leaders).toHaveLength(1);
    expect([...a.events, ...b.events]).toEqual([{ at: 0, event: "started" }]);
    const standby = leaders[0] === a ? b : a;
    expect(standby.elector.status()).toMatchObject({ leader: false, holder: leaders[0]!.name, terms: 0 });
  });

  it("takes over from a killed holder within the duration plus one read interval after its last renewal", async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    const a = controller(clock, store, "a");
    a.elector.start();
    await clock.advanceAsync(1_000);
    const b = controller(clock, store, "b");
    b.elector.start();
    await clock.advanceAsync(20_000);
    expect(b.elector.isLeader).toBe(false);

    processClock(clock, "a").kill();
    const lastRenewal = 20_000; // a renews at 0, 5 000, 10 000, ...
    await clock.advanceAsync(30_000);
    expect(b.events).toHaveLength(1);
    const takeover = b.events[0]!.at;
    expect(takeover).toBeGreaterThanOrEqual(lastRenewal + DURATION);
    expect(takeover).toBeLessThanOrEqual(lastRenewal + DURATION + 2_000);
    expect(store.record?.holder).toBe("b");
  });

  it("judges expiry by its own clock, never by the time the holder wrote", async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    // A holder whose clock is years behind: its renewals look ancient, but they keep coming.
    await store.write(
      { holder: "skewed", renewed: "1999-01-01T00:00:00.000Z", durationSeconds: 15 },
      undefined,
    );
    const b = controller(clock, store, "b");
    b.elector.start();
    for (let t = 0; t < 60_000; t += 5_000) {
      await clock.advanceAsync(5_000);
      await store.write(
        { holder: "skewed", renewed: "1999-01-01T00:00:00.000Z", durationSeconds: 15 },
        store.record!.version,
      );
    }
    expect(b.events).toEqual([]);
    // It stops renewing: after 15 s of silence (measured locally) the lease is b's.
    await clock.advanceAsync(18_000);
    expect(b.events.map((e) => e.event)).toEqual(["started"]);
  });

  it("honours the duration the holder declared, not its own", async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    await store.write({ holder: "long", renewed: new Date(0).toISOString(), durationSeconds: 60 }, undefined);
    const b = controller(clock, store, "b", 3_000);
    b.elector.start();
    await clock.advanceAsync(59_000);
    expect(b.elector.isLeader).toBe(false);
    await clock.advanceAsync(2_000);
    expect(b.elector.isLeader).toBe(true);
  });

  it("on stop, ends its work first and then releases the lease, so a standby takes over at its next read", async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    const a = controller(clock, store, "a");
    a.elector.start();
    await clock.advanceAsync(0);
    const b = controller(clock, store, "b");
    b.elector.start();
    await clock.advanceAsync(10_000);

    const holderWhenStopped: (string | undefined)[] = [];
    const stopping = a.elector.stop();
    holderWhenStopped.push(store.record?.holder);
    await stopping;
    expect(a.events.map((e) => e.event)).toEqual(["started", "stopped"]);
    expect(holderWhenStopped).toEqual(["a"]);
    expect(store.record?.holder).toBe("");

    const released = clock.now();
    await clock.advanceAsync(3_000);
    expect(b.events).toHaveLength(1);
    expect(b.events[0]!.at - released).toBeLessThanOrEqual(2_000);
  });

  it("stops leading when renewals fail for the renew deadline, before any standby can take over", async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    const a = controller(clock, store, "a");
    const b = controller(clock, store, "b");
    a.elector.start();
    await clock.advanceAsync(0);
    b.elector.start();
    await clock.advanceAsync(5_000); // a renewed at 5 000
    a.store.failing = true;
    await clock.advanceAsync(30_000);
    const aStopped = a.events.find((e) => e.event === "stopped");
    expect(aStopped).toMatchObject({ at: 5_000 + 10_000 });
    expect(aStopped?.reason).toMatch(/no renewal succeeded for 10000 ms/);
    const bStarted = b.events.find((e) => e.event === "started");
    expect(bStarted!.at).toBeGreaterThanOrEqual(5_000 + DURATION);
    expect(a.elector.status().lastError).toBe("cannot reach Docker");

    // Docker comes back: a finds b's lease and stands by.
    a.store.failing = false;
    await clock.advanceAsync(30_000);
    expect(a.elector.isLeader).toBe(false);
    expect(a.elector.status().holder).toBe("b");
    expect(a.elector.status().lastError).toBeUndefined();
    expect(b.elector.isLeader).toBe(true);
  });

  it("gives up a store call that never answers, steps down, and leads again when the store answers", async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    let hang = false;
    const hanging: LeaseStore = {
      read: () => (hang ? new Promise<never>(() => undefined) : store.read()),
      write: (r, v) => store.write(r, v),
    };
    const events: string[] = [];
    const elector = new LeaseElector({
      store: hanging,
      identity: "a",
      durationMs: DURATION,
      logger,
      clock: processClock(clock, "a"),
      onStartedLeading: () => void events.push(`started ${clock.now()}`),
      onStoppedLeading: () => void events.push(`stopped ${clock.now()}`),
    });
    elector.start();
    await clock.advanceAsync(0);
    hang = true;
    await clock.advanceAsync(20_000);
    expect(events).toEqual(["started 0", "stopped 10000"]);
    expect(elector.status().lastError).toMatch(/reading the lease took longer than 10000 ms/);
    hang = false;
    await clock.advanceAsync(15_000);
    // Nobody took the lease meanwhile: it is still ours, so it is taken back at the next read.
    expect(events).toHaveLength(3);
    expect(elector.isLeader).toBe(true);
    await elector.stop();
  });

  it("retries a failed renewal at the read interval, and keeps leading when one succeeds before the deadline", async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    const a = controller(clock, store, "a");
    a.elector.start();
    await clock.advanceAsync(0);
    await clock.advanceAsync(5_000); // renewed at 5 000
    a.store.failing = true;
    await clock.advanceAsync(5_000); // fails at 10 000; retries at 12 000, 14 000
    const writes = store.writes;
    a.store.failing = false;
    await clock.advanceAsync(4_000); // the retry at 12 000 succeeds, before the deadline at 15 000
    expect(store.writes).toBe(writes + 1);
    expect(a.events.map((e) => e.event)).toEqual(["started"]);
    await clock.advanceAsync(30_000);
    expect(a.events.map((e) => e.event)).toEqual(["started"]);
  });

  it("steps down at once when it reads that another controller holds the lease", async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    const a = controller(clock, store, "a");
    a.elector.start();
    await clock.advanceAsync(0);
    await store.write({ holder: "intruder", renewed: "x", durationSeconds: 15 }, store.record!.version);
    await clock.advanceAsync(5_000);
    expect(a.events.map((e) => e.event)).toEqual(["started", "stopped"]);
    expect(a.events[1]?.reason).toMatch(/taken over by intruder/);
  });

  it("waits for the old term's work to stop before it leads again", async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    let finishStop: () => void = () => undefined;
    const order: string[] = [];
    const elector = new LeaseElector({
      store,
      identity: "a",
      durationMs: DURATION,
      logger,
      clock: processClock(clock, "a"),
      onStartedLeading: () => void order.push("start"),
      onStoppedLeading: () => {
        order.push("stop begins");
        return new Promise<void>((r) => (finishStop = () => (order.push("stop ends"), r())));
      },
    });
    elector.start();
    await clock.advanceAsync(0);
    await store.write({ holder: "", renewed: "x", durationSeconds: 15 }, store.record!.version);
    await clock.advanceAsync(5_000); // reads a released lease: not ours any more
    await clock.advanceAsync(20_000);
    expect(order).toEqual(["start", "stop begins"]);
    finishStop();
    await clock.advanceAsync(5_000);
    expect(order).toEqual(["start", "stop begins", "stop ends", "start"]);
  });

  it("creates the lease when two controllers race for a missing one: the loser stands by", async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    const a = controller(clock, store, "a");
    const b = controller(clock, store, "b");
    b.elector.start();
    a.elector.start();
    await clock.advanceAsync(0);
    expect(store.writes).toBe(1);
    expect(b.elector.isLeader).toBe(true);
    expect(a.elector.isLeader).toBe(false);
  });
});

describe("leaseIdentity", () => {
  it("names the host and process and adds randomness", () => {
    expect(leaseIdentity("node-1", 42, () => 0.5)).toBe("node-1/42/800000");
  });
});

describe("registerLeaseMetrics", () => {
  it("exposes whether this controller leads and who holds the lease", async () => {
    const registry = new Registry();
    let status = { self: "a", leader: true, holder: "a", durationSeconds: 15, terms: 1 };
    registerLeaseMetrics(registry, () => status);
    expect(await registry.metrics()).toMatch(
      /alacrity_lease_leader 1\n[\s\S]*alacrity_lease_info\{holder="a"\} 1/,
    );
    status = { self: "a", leader: false, holder: "b", durationSeconds: 15, terms: 1 };
    const text = await registry.metrics();
    expect(text).toContain("alacrity_lease_leader 0");
    expect(text).toContain('alacrity_lease_info{holder="b"} 1');
    expect(text).not.toContain('holder="a"');
  });
});

describe("LeasedDaemon", () => {
  const desired: DesiredState = {
    apps: new Map(),
    invalid: [],
    errors: [],
    failedFiles: new Set(),
    fileCount: 0,
    missing: false,
  };

  /** A LeasedDaemon over an in-memory Swarm that counts the daemons it starts and stops. */
  function leased(clock: ManualClock, store: LeaseStore) {
    const counts = { created: 0, started: 0, stopped: 0 };
    const deps: DaemonDeps = {
      loadDesired: () => Promise.resolve(desired),
      observe: () => Promise.resolve({ services: [], tasks: [], nodes: [], volumes: [], pins: [] }),
      plan: () => ({ actions: [], rejections: [], warnings: [], heldBack: [] }),
      execute: () => Promise.resolve(),
      executeResource: () => Promise.resolve(),
      isRetryable: () => false,
      describeError: String,
      watchEvents: () => {
        counts.started++;
        return { stop: () => void counts.stopped++ };
      },
      logger,
    };
    const flaky = new FlakyStore(store);
    const controller = new LeasedDaemon({
      newDaemon: () => {
        counts.created++;
        return new Daemon(deps, { clock: processClock(clock, "daemon") });
      },
      lease: { store: flaky, identity: "a", durationMs: DURATION, clock: processClock(clock, "a") },
      metrics: new ControllerMetrics(),
      logger,
    });
    return { controller, counts, flaky };
  }

  it("reconciles only while it holds the lease, with a new daemon each term", async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    await store.write({ holder: "b", renewed: "x", durationSeconds: 15 }, undefined);
    const { controller, counts } = leased(clock, store);
    expect(controller.readiness()).toEqual({ ready: false, reason: "standby: the lease is not held yet" });
    await controller.start();
    await clock.advanceAsync(1_000);
    expect(controller.readiness()).toEqual({ ready: false, reason: "standby: the lease is held by b" });
    expect(counts).toEqual({ created: 1, started: 0, stopped: 0 });

    await store.write({ holder: "", renewed: "x", durationSeconds: 15 }, store.record!.version);
    await clock.advanceAsync(2_000);
    expect(controller.lease()).toMatchObject({ leader: true, holder: "a" });
    expect(counts).toEqual({ created: 2, started: 1, stopped: 0 });
    expect(controller.readiness()).toEqual({ ready: true });

    await store.write({ holder: "b", renewed: "x", durationSeconds: 15 }, store.record!.version);
    await clock.advanceAsync(5_000);
    expect(counts).toEqual({ created: 2, started: 1, stopped: 1 });
    expect(controller.readiness()).toEqual({ ready: false, reason: "standby: the lease is held by b" });

    await store.write({ holder: "", renewed: "x", durationSeconds: 15 }, store.record!.version);
    await clock.advanceAsync(2_000);
    expect(counts).toEqual({ created: 3, started: 2, stopped: 1 });

    await controller.stop();
    expect(counts).toEqual({ created: 3, started: 2, stopped: 2 });
    expect(store.record?.holder).toBe("");
  });

  it("says that Docker is not reachable when a standby cannot read the lease", async () => {
    const clock = new ManualClock();
    const { controller, flaky } = leased(clock, new MemoryStore());
    flaky.failing = true;
    await controller.start();
    await clock.advanceAsync(0);
    expect(controller.readiness()).toEqual({
      ready: false,
      reason: "Docker is not reachable: cannot reach Docker (standing by until the lease can be read)",
    });
    flaky.failing = false;
    await clock.advanceAsync(2_000);
    expect(controller.readiness()).toEqual({ ready: true });
    await controller.stop();
  });

  it("does not call a Docker error with an HTTP status unreachable", async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    const { controller } = leased(clock, {
      read: () =>
        Promise.reject(new DockerError("the service is not a lease", { statusCode: 200, retryable: false })),
      write: (r, v) => store.write(r, v),
    });
    await controller.start();
    await clock.advanceAsync(0);
    expect(controller.readiness()).toEqual({
      ready: false,
      reason: "standby: the lease is not held yet (last lease error: the service is not a lease)",
    });
    await controller.stop();
  });
});
