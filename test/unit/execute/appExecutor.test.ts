import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { AppExecutor, type ActionOutcome, type ActionPort } from "../../../src/execute/appExecutor.js";
import { plan } from "../../../src/reconcile/plan.js";
import type { Action } from "../../../src/reconcile/types.js";
import type { ObservedState } from "../../../src/swarm/types.js";
import { flushPromises, ManualClock } from "../../support/manualClock.js";
import { aSwarm, anApp, desiredOf, OPTIONS, serviceFor } from "../reconcile/builders.js";

/** Records every executed action; fails the next ones with the given errors, in order. */
function port(failures: Error[] = []): ActionPort & { executed: Action[] } {
  const executed: Action[] = [];
  return {
    executed,
    execute: (action) => {
      executed.push(action);
      const failure = failures.shift();
      return failure ? Promise.reject(failure) : Promise.resolve();
    },
    isRetryable: (err) => err instanceof Error && /out of sequence/.test(err.message),
    describeError: (err) => (err instanceof Error ? `docker: ${err.message}` : String(err)),
  };
}

function logger() {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: "debug" },
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        cb();
      },
    }),
  );
  return { log, lines };
}

const db = anApp("db").persistent().env("PASSWORD", "hunter2-secret").build();
const swarm = (): ObservedState => aSwarm().withNode("node-1").build();
const actionsOf = (state: ObservedState): Action[] => plan(desiredOf([db]), state, OPTIONS).actions;

describe("AppExecutor", () => {
  it("runs an app's actions in order, reporting and logging each without field values", async () => {
    const swarmPort = port();
    const outcomes: ActionOutcome[] = [];
    const { log, lines } = logger();
    const executor = new AppExecutor({
      port: swarmPort,
      clock: new ManualClock(),
      okLevel: "info",
      onAction: (o) => outcomes.push(o),
    });
    const actions = actionsOf(swarm());
    expect(actions.map((a) => a.kind)).toEqual(["pin", "create"]);
    expect(await executor.run("db", actions, swarm(), log)).toEqual({ ok: true });
    expect(swarmPort.executed).toEqual(actions);
    expect(outcomes.map((o) => [o.action.kind, o.ok])).toEqual([
      ["pin", true],
      ["create", true],
    ]);
    expect(lines.map((l) => [l.level, l.msg, l.result])).toEqual([
      [30, "pin done", "ok"],
      [30, "create done", "ok"],
    ]);
    expect(JSON.stringify(lines)).not.toContain("hunter2-secret");
  });

  it("stops an app at its first failure and does not retry a terminal one", async () => {
    const swarmPort = port([new Error("config name conflicts")]);
    const { log, lines } = logger();
    const executor = new AppExecutor({
      port: swarmPort,
      clock: new ManualClock(),
      okLevel: "debug",
      maxAttempts: 5,
      replan: () => Promise.reject(new Error("a terminal failure must not re-plan")),
    });
    const result = await executor.run("db", actionsOf(swarm()), swarm(), log);
    expect(result).toMatchObject({ ok: false, retryable: false, message: "docker: config name conflicts" });
    expect(swarmPort.executed.map((a) => a.kind)).toEqual(["pin"]);
    expect(lines).toMatchObject([{ level: 50, msg: "pin failed", result: "failed" }]);
  });

  it("re-observes and re-plans the app after a retryable failure, pausing 100 ms, then 200 ms", async () => {
    const clock = new ManualClock();
    const swarmPort = port([new Error("update out of sequence"), new Error("update out of sequence")]);
    const replans: number[] = [];
    const executor = new AppExecutor({
      port: swarmPort,
      clock,
      okLevel: "debug",
      maxAttempts: 3,
      replan: () => {
        replans.push(clock.now());
        return Promise.resolve({ actions: actionsOf(swarm()), observed: swarm() });
      },
    });
    let result: unknown;
    void executor.run("db", actionsOf(swarm()), swarm(), logger().log).then((r) => (result = r));
    await flushPromises();
    expect(clock.pendingDelays()).toEqual([100]);
    await clock.advanceAsync(100);
    expect(clock.pendingDelays()).toEqual([200]);
    await clock.advanceAsync(200);
    expect(replans).toEqual([100, 300]);
    expect(result).toEqual({ ok: true });
    expect(swarmPort.executed.map((a) => a.kind)).toEqual(["pin", "pin", "pin", "create"]);
  });

  it("gives up after maxAttempts with the last retryable failure", async () => {
    const clock = new ManualClock();
    const out = () => new Error("update out of sequence");
    const swarmPort = port([out(), out(), out()]);
    const executor = new AppExecutor({
      port: swarmPort,
      clock,
      okLevel: "debug",
      maxAttempts: 2,
      replan: () => Promise.resolve({ actions: actionsOf(swarm()), observed: swarm() }),
    });
    let result: unknown;
    void executor.run("db", actionsOf(swarm()), swarm(), logger().log).then((r) => (result = r));
    await clock.advanceAsync(10_000);
    expect(result).toMatchObject({ ok: false, retryable: true, message: "docker: update out of sequence" });
    expect(swarmPort.executed.map((a) => a.kind)).toEqual(["pin", "pin"]);
    expect(clock.delays).toEqual([100]);
  });

  it("stops retrying when the re-plan finds nothing left to do", async () => {
    const clock = new ManualClock();
    const swarmPort = port([new Error("update out of sequence")]);
    const converged = aSwarm()
      .withNode("node-1")
      .withPin("db", "id-node-1")
      .withService(serviceFor(db, { nodeId: "id-node-1", hostname: "node-1" }))
      .build();
    expect(actionsOf(converged)).toEqual([]);
    const executor = new AppExecutor({
      port: swarmPort,
      clock,
      okLevel: "debug",
      maxAttempts: 5,
      // Someone else converged the app meanwhile.
      replan: () => Promise.resolve({ actions: actionsOf(converged), observed: converged }),
    });
    let result: unknown;
    void executor.run("db", actionsOf(swarm()), swarm(), logger().log).then((r) => (result = r));
    await clock.advanceAsync(100);
    expect(result).toEqual({ ok: true });
    expect(swarmPort.executed.map((a) => a.kind)).toEqual(["pin"]);
  });

  it("refuses retries without a way to re-plan", () => {
    expect(() => new AppExecutor({ port: port(), okLevel: "info", maxAttempts: 2 })).toThrow(
      "Expected a `replan` function with `maxAttempts` 2, got none",
    );
  });

  it("makes the app's child logger only when it logs a line", async () => {
    const { log, lines } = logger();
    log.level = "info";
    let children = 0;
    const parent = new Proxy(log, {
      get: (target, key, receiver) =>
        key === "child"
          ? (...args: Parameters<typeof log.child>) => (children++, target.child(...args))
          : (Reflect.get(target, key, receiver) as unknown),
    });
    const quiet = new AppExecutor({ port: port(), clock: new ManualClock(), okLevel: "debug" });
    expect(
      await quiet.run("db", actionsOf(swarm()), swarm(), { childOf: parent, bindings: { app: "db" } }),
    ).toEqual({
      ok: true,
    });
    // The control: the same executor logging its successes at info makes the child and uses it.
    const loud = new AppExecutor({ port: port(), clock: new ManualClock(), okLevel: "info" });
    await loud.run("db", actionsOf(swarm()), swarm(), { childOf: parent, bindings: { app: "db" } });
    expect(children).toBe(1);
    expect(lines.map((l) => [l.app, l.action])).toEqual([
      ["db", "pin"],
      ["db", "create"],
    ]);
  });
});
