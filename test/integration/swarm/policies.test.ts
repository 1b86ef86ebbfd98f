import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppSpec, NetworkSpec } from "../../../src/manifest/types.js";
import { desiredFields } from "../../../src/reconcile/desiredFields.js";
import { plan } from "../../../src/reconcile/plan.js";
import type { Action, Plan, PlanOptions } from "../../../src/reconcile/types.js";
import { execute } from "../../../src/swarm/execute.js";
import { observe } from "../../../src/swarm/observe.js";
import { specFromFields } from "../../../src/swarm/serviceSpec.js";
import type { ObservedState } from "../../../src/swarm/types.js";
import { LABEL } from "../../../src/domain/names.js";
import { anApp, desiredOf } from "../../unit/reconcile/builders.js";
import { docker, engine, IMAGE, serviceByName, sweep, TEST_LABEL, TEST_LABEL_VALUE } from "./helpers.js";

/*
 * Issue 17's service fields on the real Swarm (Docker 20.10): written, read back by observe, and
 * planned against with nothing left to do; services created before them plan nothing but a
 * warning; a change of mode re-creates the service.
 */

const PREFIX = "t-swarm-pol-";
const NET = `${PREFIX}net`;
const OPTIONS: PlanOptions = { allowEmpty: true, allowMassPrune: false, instance: PREFIX };
const network: NetworkSpec = {
  name: NET,
  labels: {},
  file: "net.yaml",
  source: { file: "net.yaml", line: 1, col: 1 },
  positions: {},
  internal: false,
  attachable: true,
  encrypted: false,
  external: NET,
};

/** On the test's own external network, so that no default network is created for it. */
const app = (name: string, fields: Partial<AppSpec> = {}): AppSpec =>
  anApp(`${PREFIX}${name}`)
    .image(IMAGE)
    .command("sleep", "3600")
    .label(TEST_LABEL, TEST_LABEL_VALUE)
    .with({ networks: [{ name: NET, aliases: [] }], ...fields })
    .build();

const everything = app("all", {
  healthcheck: { test: ["CMD", "true"], intervalNs: 1e9, timeoutNs: 2e9, retries: 2, startPeriodNs: 1e9 },
  update: {
    parallelism: 2,
    delayNs: 1e9,
    failureAction: "pause",
    monitorNs: 2e9,
    maxFailureRatio: 0.5,
    order: "stop-first",
  },
  rollback: { parallelism: 1, failureAction: "continue", order: "start-first" },
  restart: { condition: "on-failure", delayNs: 0, maxAttempts: 3, windowNs: 30e9 },
  stopGracePeriodNs: 3e9,
  placement: {
    constraints: ["node.role==manager"],
    preferences: ["node.labels.zone"],
    maxReplicasPerNode: 2,
  },
});
const db = app("db", { persistent: true });
const global = app("global", { mode: "global" });
const plain = app("plain");

const desired = (apps: AppSpec[]) => desiredOf(apps, { networks: new Map([[NET, network]]) });
const ours = (actions: readonly Action[]) => actions.filter((a) => a.app.startsWith(PREFIX));

async function planFor(apps: AppSpec[]): Promise<{ plan: Plan; observed: ObservedState }> {
  const observed = await observe(engine);
  return { plan: plan(desired(apps), observed, OPTIONS), observed };
}

async function apply(apps: AppSpec[]): Promise<Action[]> {
  const { plan: p, observed } = await planFor(apps);
  const actions = ours(p.actions);
  for (const action of actions) await execute(engine, action, observed);
  return actions;
}

const inspect = async (name: string): Promise<Docker.ServiceSpec> =>
  ((await docker.getService((await serviceByName(name)).ID).inspect()) as Docker.Service).Spec!;
const containerOf = (spec: Docker.ServiceSpec) =>
  (spec.TaskTemplate as Docker.ContainerTaskSpec).ContainerSpec as Docker.ContainerSpec & {
    Healthcheck?: Docker.HealthConfig;
  };

beforeAll(async () => {
  await sweep(PREFIX);
  await docker
    .getNetwork(NET)
    .remove()
    .catch(() => undefined);
  await docker.createNetwork({ Name: NET, Driver: "overlay", Attachable: true });
});

afterAll(async () => {
  await sweep(PREFIX);
  await docker
    .getNetwork(NET)
    .remove()
    .catch(() => undefined);
});

describe("issue 17's fields on the real Swarm", () => {
  it("creates services with every new field, reads them back, and then plans nothing", async () => {
    const created = await apply([everything, db, global]);
    expect(
      created
        .filter((a) => a.kind === "create")
        .map((a) => a.app)
        .sort(),
    ).toEqual([everything, db, global].map((a) => a.name).sort());

    const spec = await inspect(everything.name);
    expect(containerOf(spec)).toMatchObject({
      Healthcheck: { Test: ["CMD", "true"], Interval: 1e9, Timeout: 2e9, Retries: 2, StartPeriod: 1e9 },
      StopGracePeriod: 3e9,
      Labels: { [LABEL.taskHash]: spec.Labels?.[LABEL.hash] },
    });
    const task = spec.TaskTemplate as Docker.ContainerTaskSpec;
    expect(task.RestartPolicy).toMatchObject({
      Condition: "on-failure",
      Delay: 0,
      MaxAttempts: 3,
      Window: 30e9,
    });
    expect(task.Placement).toMatchObject({
      Constraints: ["node.role==manager"],
      Preferences: [{ Spread: { SpreadDescriptor: "node.labels.zone" } }],
      MaxReplicas: 2,
    });
    expect(spec.UpdateConfig).toMatchObject({
      Parallelism: 2,
      Delay: 1e9,
      FailureAction: "pause",
      Monitor: 2e9,
      MaxFailureRatio: 0.5,
      Order: "stop-first",
    });
    expect(spec.RollbackConfig).toMatchObject({
      Parallelism: 1,
      FailureAction: "continue",
      Monitor: 5e9,
      Order: "start-first",
    });
    expect((await inspect(global.name)).Mode).toEqual({ Global: {} });

    const { plan: again } = await planFor([everything, db, global]);
    expect(ours(again.actions)).toEqual([]);
    expect(again.warnings.filter((w) => w.message.includes(PREFIX))).toEqual([]);
  });

  it("gives a persistent app 60 s to stop, and its defaults' update and rollback policy", async () => {
    const spec = await inspect(db.name);
    expect(containerOf(spec).StopGracePeriod).toBe(60e9);
    expect(spec.UpdateConfig).toMatchObject({
      Parallelism: 1,
      FailureAction: "rollback",
      Monitor: 5e9,
      Order: "stop-first",
    });
    expect(spec.RollbackConfig).toMatchObject({
      Parallelism: 1,
      FailureAction: "pause",
      Monitor: 5e9,
      Order: "stop-first",
    });
  });

  it("plans no update for a service created with the old spec shape, but names it in one warning", async () => {
    // What specFromFields wrote before issue 17: no policies, no stop grace period, no task label.
    const fields = desiredFields(plain, undefined, OPTIONS, new Map([[NET, network]]));
    delete fields.updateConfig;
    delete fields.rollbackConfig;
    delete fields.defaulted;
    const old = specFromFields(plain.name, fields);
    delete containerOf(old).Labels;
    old.TaskTemplate = {
      ...old.TaskTemplate,
      Networks: [{ Target: NET, Aliases: [] }],
    };
    await docker.createService(old);
    const before = await inspect(plain.name);
    expect(before.UpdateConfig).toEqual({
      Parallelism: 1,
      FailureAction: "pause",
      MaxFailureRatio: 0,
      Order: "start-first",
    });

    const { plan: p } = await planFor([everything, db, global, plain]);
    expect(ours(p.actions)).toEqual([]);
    const warning = p.warnings.find((w) => w.message.includes(plain.name));
    expect(warning?.message).toContain(`${plain.name} (rollbackConfig, updateConfig)`);
    expect(warning?.message).toContain("each gets them with its next update, and none is restarted for them");
    expect(warning?.message).not.toContain(everything.name);
  });

  it("re-creates a service whose mode changes from replicated to global", async () => {
    const before = await serviceByName(everything.name);
    const toGlobal = { ...everything, mode: "global" as const };
    const actions = await apply([toGlobal, db, global, plain]);
    expect(actions).toMatchObject([{ kind: "update", app: everything.name, recreate: true, restarts: true }]);
    const after = await serviceByName(everything.name);
    expect(after.ID).not.toBe(before.ID);
    expect(after.Spec?.Mode).toEqual({ Global: {} });
    const { plan: again } = await planFor([toGlobal, db, global, plain]);
    expect(ours(again.actions)).toEqual([]);
  });
});
