import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { holdConfigName, LABEL } from "../../../src/domain/names.js";
import { detectRollback, ENDED_DURING_UPDATE } from "../../../src/reconcile/holds.js";
import { DockerError, isRetryable } from "../../../src/swarm/errors.js";
import { execute } from "../../../src/swarm/execute.js";
import { observe } from "../../../src/swarm/observe.js";
import type { ObservedService, ObservedState } from "../../../src/swarm/types.js";
import { eventually } from "../../support/poll.js";
import { docker, engine, IMAGE, serviceByName, sweep, TEST_LABEL, TEST_LABEL_VALUE } from "./helpers.js";

const PREFIX = "t-swarm-hold-";

beforeAll(async () => {
  await sweep(PREFIX);
});

afterAll(async () => {
  await sweep(PREFIX);
});

const hold = (app: string, hash: string, replaces?: string) =>
  ({
    kind: "hold",
    app,
    hash,
    swarmReason: "task: non-zero exit (3)",
    instance: "t-hold",
    ...(replaces ? { replaces } : {}),
  }) as const;

const holdsOf = async (app: string) => (await observe(engine)).holds?.filter((h) => h.app === app) ?? [];

describe("execute: hold and release-hold", () => {
  it("records the held spec in a labelled config that observe reads as a hold, not as a config", async () => {
    const app = `${PREFIX}rec`;
    await execute(engine, hold(app, "h-bad"));
    const [config] = await docker.listConfigs({ filters: { name: [holdConfigName(app)] } });
    expect(config?.Spec?.Labels).toEqual({
      [LABEL.holdRecord]: "true",
      [LABEL.managed]: "true",
      [LABEL.instance]: "t-hold",
      [LABEL.app]: app,
      [LABEL.heldHash]: "h-bad",
      [LABEL.heldReason]: "task: non-zero exit (3)",
    });
    const observed = await observe(engine);
    expect(observed.holds?.filter((h) => h.app === app)).toEqual([
      { app, instance: "t-hold", hash: "h-bad", reason: "task: non-zero exit (3)", configId: config!.ID },
    ]);
    expect(observed.configs?.some((c) => c.name === holdConfigName(app))).toBe(false);
  });

  it("refuses a second record unless it names the one it replaces (retryable), then replaces it", async () => {
    const app = `${PREFIX}again`;
    await execute(engine, hold(app, "h-one"));
    const err = await execute(engine, hold(app, "h-two")).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DockerError);
    expect(isRetryable(err)).toBe(true);
    expect((err as Error).message).toContain("already has a hold record");

    const [old] = await holdsOf(app);
    await execute(engine, hold(app, "h-two", old!.configId));
    expect((await holdsOf(app)).map((h) => h.hash)).toEqual(["h-two"]);
  });

  it("releases a record, and releasing it again is fine (404)", async () => {
    const app = `${PREFIX}rel`;
    await execute(engine, hold(app, "h-bad"));
    const [record] = await holdsOf(app);
    expect(record).toBeDefined();
    await execute(engine, { kind: "release-hold", app, configId: record!.configId });
    expect(await holdsOf(app)).toEqual([]);
    await execute(engine, { kind: "release-hold", app, configId: record!.configId });
  });
});

/** A service as AlaCrity's spec writer labels it: the spec hash on the service and on its tasks. */
function spec(
  name: string,
  hash: string,
  failureAction: "rollback" | "pause",
  extra: object,
): Docker.ServiceSpec {
  return {
    Name: name,
    Labels: { [TEST_LABEL]: TEST_LABEL_VALUE, [LABEL.hash]: hash },
    TaskTemplate: {
      ContainerSpec: { Image: IMAGE, Args: ["sleep", "3600"], Labels: { [LABEL.taskHash]: hash }, ...extra },
      RestartPolicy: { Condition: "any", Delay: 1_000_000_000 },
    },
    Mode: { Replicated: { Replicas: 1 } },
    UpdateConfig: {
      FailureAction: failureAction,
      Monitor: 10_000_000_000,
      Parallelism: 1,
      Order: "stop-first",
    },
    RollbackConfig: { Monitor: 2_000_000_000, Parallelism: 1, Order: "stop-first" },
  };
}

/** Creates `name` on h-good, waits for it to run, then updates it to h-bad, changed by `bad`. */
async function failUpdate(name: string, failureAction: "rollback" | "pause", bad: object): Promise<void> {
  const created = await docker.createService(spec(name, "h-good", failureAction, {}));
  await eventually(
    async () => {
      const tasks = await docker.listTasks({ filters: { service: [name] } });
      return tasks.some((t: { Status?: { State?: string } }) => t.Status?.State === "running");
    },
    { what: `${name} running`, timeoutMs: 30_000 },
  );
  const current = await serviceByName(name);
  await docker.getService(created.id).update({
    ...spec(name, "h-bad", failureAction, bad),
    version: current.Version?.Index,
  });
}

async function observedWhen(
  name: string,
  state: string,
): Promise<{ observed: ObservedState; service: ObservedService }> {
  return eventually(
    async () => {
      const observed = await observe(engine);
      const service = observed.services.find((s) => s.name === name);
      return service?.updateStatus?.state === state ? { observed, service } : undefined;
    },
    { what: `${name}'s update status ${state}`, timeoutMs: 90_000, intervalMs: 500 },
  );
}

describe("observe: what Swarm leaves after a failed update", () => {
  it("reads the update status, the tasks' spec hashes and containers of rolled-back and paused updates", async () => {
    const exits = `${PREFIX}exits`;
    const unhealthy = `${PREFIX}unhealthy`;
    const paused = `${PREFIX}paused`;
    const cleanExit = `${PREFIX}clean-exit`;
    await Promise.all([
      // Ends cleanly when its failing check stops it: Swarm says complete, and still rolls back.
      failUpdate(cleanExit, "rollback", {
        Args: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"],
        Healthcheck: { Test: ["CMD-SHELL", "false"], Interval: 1_000_000_000, Retries: 1 },
      }),
      failUpdate(exits, "rollback", { Args: ["sh", "-c", "sleep 1; exit 3"] }),
      failUpdate(unhealthy, "rollback", {
        Healthcheck: { Test: ["CMD-SHELL", "false"], Interval: 1_000_000_000, Retries: 1 },
      }),
      failUpdate(paused, "pause", { Args: ["sh", "-c", "sleep 1; exit 3"] }),
    ]);

    const [exited, sick, pause, clean] = await Promise.all([
      observedWhen(exits, "rollback_completed"),
      observedWhen(unhealthy, "rollback_completed"),
      observedWhen(paused, "paused"),
      observedWhen(cleanExit, "rollback_completed"),
    ]);

    // Rolled back: the service runs h-good again, Swarm's message no longer names the failure,
    // the failed task (kept by relevantTasks) still names h-bad and says why.
    expect(exited.service.updateStatus?.message).toBe("rollback completed");
    expect(exited.service.fields.labels[LABEL.hash]).toBe("h-good");
    const failed = exited.observed.tasks.find(
      (t) => t.serviceId === exited.service.id && t.state === "failed",
    );
    expect(failed).toMatchObject({ specHash: "h-bad", error: "task: non-zero exit (3)" });
    expect(failed?.containerId).toMatch(/^[0-9a-f]{64}$/);
    expect(detectRollback(exited.service, exited.observed.tasks)).toEqual({
      hash: "h-bad",
      reason: "task: non-zero exit (3)",
    });

    expect(detectRollback(sick.service, sick.observed.tasks)).toEqual({
      hash: "h-bad",
      reason: "task: non-zero exit (137): dockerexec: unhealthy container",
    });

    expect(
      clean.observed.tasks.some(
        (t) => t.serviceId === clean.service.id && t.specHash === "h-bad" && t.state === "complete",
      ),
    ).toBe(true);
    expect(detectRollback(clean.service, clean.observed.tasks)).toEqual({
      hash: "h-bad",
      reason: ENDED_DURING_UPDATE,
    });

    // Paused: the failed spec stays in place, so it is not a rollback to hold.
    expect(pause.service.updateStatus?.message).toMatch(
      /^update paused due to failure or early termination of task/,
    );
    expect(pause.service.fields.labels[LABEL.hash]).toBe("h-bad");
    expect(detectRollback(pause.service, pause.observed.tasks)).toBeUndefined();
  }, 150_000);
});
