import { describe, expect, it } from "vitest";
import { LABEL } from "../../../src/domain/names.js";
import { decideHold, detectRollback, heldMessage } from "../../../src/reconcile/holds.js";
import { plan } from "../../../src/reconcile/plan.js";
import type { DesiredState } from "../../../src/manifest/types.js";
import type { HoldRecord, ObservedService, ObservedState, ObservedTask } from "../../../src/swarm/types.js";
import { aSwarm, anApp, desiredOf, OPTIONS, serviceFor } from "./builders.js";
import { applyPlan } from "./memorySwarm.js";

const UNHEALTHY = "task: non-zero exit (137): dockerexec: unhealthy container";

/** A service running spec `running`, whose update to `failed` Swarm `state`d (Swarm's words). */
function service(state: string | undefined, running = "h-good"): ObservedService {
  const s = serviceFor(anApp("web").build());
  s.fields.labels[LABEL.hash] = running;
  if (state !== undefined) s.updateStatus = { state, message: `Swarm says ${state}` };
  return s;
}

function task(specHash: string | undefined, second: number, extra: Partial<ObservedTask> = {}): ObservedTask {
  return {
    id: `t-${second}`,
    serviceId: "svc-web",
    desiredState: "shutdown",
    state: "shutdown",
    message: "shutdown",
    timestamp: `2026-12-02T07:52:${String(second).padStart(2, "0")}.5Z`,
    ...(specHash ? { specHash } : {}),
    ...extra,
  };
}

/** What Swarm leaves after rolling h-bad back to h-good: the failed task, then the new good one. */
const ROLLED_BACK_TASKS = [
  task("h-good", 10),
  task("h-bad", 20, { state: "failed", error: UNHEALTHY }),
  task("h-good", 30, { desiredState: "running", state: "running" }),
];

const record = (hash: string): HoldRecord => ({
  app: "web",
  hash,
  reason: "earlier reason",
  configId: "cfg-hold",
});

describe("detectRollback", () => {
  it.each([
    { name: "rollback completed", state: "rollback_completed", found: true },
    { name: "rollback in progress", state: "rollback_started", found: true },
    { name: "the rollback itself paused", state: "rollback_paused", found: true },
    { name: "an update paused (the failed spec still runs)", state: "paused", found: false },
    { name: "an update in progress", state: "updating", found: false },
    { name: "an update completed", state: "completed", found: false },
    { name: "never updated", state: undefined, found: false },
  ])("$name: found=$found", ({ state, found }) => {
    const detected = detectRollback(service(state), ROLLED_BACK_TASKS);
    expect(detected).toEqual(found ? { hash: "h-bad", reason: UNHEALTHY } : undefined);
  });

  it("takes the newest task of another spec, whatever the order of the list", () => {
    const tasks = [task("h-newer-bad", 40), task("h-good", 30), task("h-old-bad", 20)].reverse();
    expect(detectRollback(service("rollback_completed"), tasks)?.hash).toBe("h-newer-bad");
  });

  it("says Swarm's message when no task of the failed spec has an error", () => {
    expect(detectRollback(service("rollback_started"), [task("h-bad", 20)])).toEqual({
      hash: "h-bad",
      reason: "Swarm says rollback_started",
    });
  });

  it("finds nothing when every task runs the service's spec or carries no hash (older AlaCrity)", () => {
    const s = service("rollback_completed");
    expect(detectRollback(s, [task("h-good", 10), task(undefined, 20, { state: "failed" })])).toBeUndefined();
    // Positive control: the same service with a task of another spec.
    expect(detectRollback(s, [task("h-good", 10), task("h-bad", 20)])?.hash).toBe("h-bad");
  });

  it("ignores the tasks of other services", () => {
    const other = task("h-bad", 20, { serviceId: "svc-other" });
    expect(detectRollback(service("rollback_completed"), [task("h-good", 10), other])).toBeUndefined();
  });
});

describe("decideHold", () => {
  const base = {
    app: "web",
    service: service("rollback_completed"),
    tasks: ROLLED_BACK_TASKS,
    retry: false,
    instance: "default",
  };
  const hold = (replaces?: string) => ({
    kind: "hold",
    app: "web",
    hash: "h-bad",
    swarmReason: UNHEALTHY,
    instance: "default",
    ...(replaces ? { replaces } : {}),
    reason: "rolled back by Swarm",
  });
  const release = (reason: string) => ({ kind: "release-hold", app: "web", configId: "cfg-hold", reason });

  it.each([
    {
      name: "detection matches the manifest, no record: held, record written",
      input: { desiredHash: "h-bad", record: undefined },
      held: UNHEALTHY,
      actions: [hold()],
    },
    {
      name: "record matches the manifest: held with its reason, nothing written",
      input: { desiredHash: "h-bad", record: record("h-bad") },
      held: "earlier reason",
      actions: [],
    },
    {
      name: "record matches, the rollback no longer seen (tasks gone): still held",
      input: { desiredHash: "h-bad", record: record("h-bad"), service: service("completed"), tasks: [] },
      held: "earlier reason",
      actions: [],
    },
    {
      name: "detection matches, an older record of another spec: replaced",
      input: { desiredHash: "h-bad", record: record("h-older") },
      held: UNHEALTHY,
      actions: [hold("cfg-hold")],
    },
    {
      name: "manifest changed since the rollback: record released, not held",
      input: { desiredHash: "h-new", record: record("h-bad") },
      held: undefined,
      actions: [release("manifest changed")],
    },
    {
      name: "manifest changed, no record: nothing to do",
      input: { desiredHash: "h-new", record: undefined },
      held: undefined,
      actions: [],
    },
    {
      name: "retry with a record: released, not held",
      input: { desiredHash: "h-bad", record: record("h-bad"), retry: true },
      held: undefined,
      actions: [release("retry requested")],
    },
    {
      name: "retry while the rollback is seen but not yet recorded: not held, nothing to release",
      input: { desiredHash: "h-bad", record: undefined, retry: true },
      held: undefined,
      actions: [],
    },
    {
      name: "paused update of the manifest's spec: not a hold",
      input: { desiredHash: "h-bad", record: undefined, service: service("paused", "h-bad") },
      held: undefined,
      actions: [],
    },
    {
      name: "rollback in progress of the manifest's spec: held",
      input: { desiredHash: "h-bad", record: undefined, service: service("rollback_started") },
      held: UNHEALTHY,
      actions: [hold()],
    },
  ])("$name", ({ input, held, actions }) => {
    const decision = decideHold({ ...base, ...input });
    expect(decision.held?.swarmReason).toBe(held);
    if (held !== undefined) expect(decision.held?.message).toBe(heldMessage("web", held));
    expect(decision.actions).toEqual(actions);
  });

  it("says what to do in the held message", () => {
    expect(heldMessage("web", UNHEALTHY)).toBe(
      `held: the manifest's spec was rolled back by Swarm (${UNHEALTHY}); change the manifest or retry with \`alacrity apply --retry web\``,
    );
  });
});

describe("plan: an app whose spec Swarm rolled back", () => {
  const v1 = anApp("web").image("img:1").build();
  const v2 = anApp("web").image("img:2").build();
  const v3 = anApp("web").image("img:3").build();
  const hashOf = (app: typeof v1): string => serviceFor(app).fields.labels[LABEL.hash] ?? "";

  /** web runs v1 again: Swarm rolled back the update to v2, whose task failed its health check. */
  function rolledBack(): ObservedState {
    const s = serviceFor(v1);
    s.updateStatus = { state: "rollback_completed", message: "rollback completed" };
    return aSwarm()
      .withNode("n1")
      .withDefaultNetwork()
      .withService(s)
      .withTask({ serviceId: s.id, specHash: hashOf(v1), timestamp: "2026-12-02T07:52:30Z" })
      .withTask({
        serviceId: s.id,
        specHash: hashOf(v2),
        state: "failed",
        desiredState: "shutdown",
        error: UNHEALTHY,
        timestamp: "2026-12-02T07:52:20Z",
      })
      .build();
  }

  it("is not updated again: one hold, then no action at all, listed as held", () => {
    const desired = desiredOf([v2]);
    // Positive control: without the rollback, the same manifest is an update.
    const fresh = serviceFor(v1);
    const control = plan(
      desired,
      aSwarm().withNode("n1").withDefaultNetwork().withService(fresh).build(),
      OPTIONS,
    );
    expect(control.actions.map((a) => a.kind)).toEqual(["update"]);

    const first = plan(desired, rolledBack(), OPTIONS);
    expect(first.actions).toEqual([
      {
        kind: "hold",
        app: "web",
        hash: hashOf(v2),
        swarmReason: UNHEALTHY,
        instance: "default",
        reason: "rolled back by Swarm",
      },
    ]);
    expect(first.held).toEqual([
      { app: "web", hash: hashOf(v2), swarmReason: UNHEALTHY, message: heldMessage("web", UNHEALTHY) },
    ]);

    // After the record is written, and even once Swarm forgot the failed tasks: nothing to do.
    const after = applyPlan(rolledBack(), first.actions);
    after.tasks = [];
    const second = plan(desired, after, OPTIONS);
    expect(second.actions).toEqual([]);
    expect(second.held?.map((h) => h.app)).toEqual(["web"]);
  });

  it("applies a changed manifest, releasing the record first", () => {
    const held = applyPlan(rolledBack(), plan(desiredOf([v2]), rolledBack(), OPTIONS).actions);
    const next = plan(desiredOf([v3]), held, OPTIONS);
    expect(next.actions.map((a) => [a.kind, a.reason])).toEqual([
      ["release-hold", "manifest changed"],
      ["update", "manifest changed"],
    ]);
    expect(next.held).toBeUndefined();
  });

  it("applies the held spec again on retry, and only for the apps named", () => {
    const held = applyPlan(rolledBack(), plan(desiredOf([v2]), rolledBack(), OPTIONS).actions);
    const retried = plan(desiredOf([v2]), held, { ...OPTIONS, retry: new Set(["web"]) });
    expect(retried.actions.map((a) => [a.kind, a.reason])).toEqual([
      ["release-hold", "retry requested"],
      ["update", "manifest changed"],
    ]);
    const other = plan(desiredOf([v2]), held, { ...OPTIONS, retry: new Set(["api"]) });
    expect(other.actions).toEqual([]);
  });

  it("releases the record of a removed app with its service, and keeps it while the removal is held back", () => {
    const held = applyPlan(rolledBack(), plan(desiredOf([v2]), rolledBack(), OPTIONS).actions);
    const other = anApp("other").build();
    const withOther: ObservedState = { ...held, services: [...held.services, serviceFor(other)] };
    const removed = plan(desiredOf([other]), withOther, OPTIONS);
    expect(removed.actions.map((a) => [a.kind, a.app, a.reason])).toEqual([
      ["remove", "web", "app removed"],
      ["release-hold", "web", "app removed"],
    ]);
    // The empty-directory guard holds the removal back: the record stays with the service.
    const guarded = plan(desiredOf([]), held, OPTIONS);
    expect(guarded.heldBack.map((a) => a.kind)).toEqual(["remove"]);
    expect(guarded.actions).toEqual([]);
  });

  it("keeps the record of an app whose manifest fails to parse", () => {
    const held = applyPlan(rolledBack(), plan(desiredOf([v2]), rolledBack(), OPTIONS).actions);
    const desired: DesiredState = {
      ...desiredOf([anApp("other").build()]),
      invalid: [{ name: "web", file: "web.yaml", errors: [] }],
      failedFiles: new Set(["web.yaml"]),
    };
    expect(plan(desired, held, OPTIONS).actions.filter((a) => a.app === "web")).toEqual([]);
  });

  it("ignores another instance's hold records", () => {
    const state = rolledBack();
    state.services = [];
    state.tasks = [];
    state.holds = [{ app: "web", instance: "other", hash: hashOf(v2), reason: "x", configId: "cfg-other" }];
    expect(plan(desiredOf([]), state, { ...OPTIONS, allowEmpty: true }).actions).toEqual([]);
    // Positive control: the same record of this instance is released (its app is gone).
    state.holds = [{ app: "web", hash: hashOf(v2), reason: "x", configId: "cfg-mine" }];
    expect(plan(desiredOf([]), state, { ...OPTIONS, allowEmpty: true }).actions.map((a) => a.kind)).toEqual([
      "release-hold",
    ]);
  });
});
