import { describe, expect, it } from "vitest";
import type { AppSpec } from "../../../src/manifest/types.js";
import { desiredFields } from "../../../src/reconcile/desiredFields.js";
import { diffFields } from "../../../src/reconcile/diff.js";
import { formatDuration } from "../../../src/manifest/durations.js";
import { plan } from "../../../src/reconcile/plan.js";
import { DEFAULT_MARK, isDefaultChange } from "../../../src/reconcile/policyDiff.js";
import { DEFAULT_ROLLBACK_POLICY, DEFAULT_UPDATE_POLICY } from "../../../src/reconcile/serviceDefaults.js";
import { LABEL } from "../../../src/domain/names.js";
import type { ServiceFields } from "../../../src/swarm/types.js";
import { aSwarm, anApp, desiredOf, OPTIONS, serviceFor } from "./builders.js";

const PIN = { nodeId: "id-w1", hostname: "w1" };
const fieldsOf = (app: AppSpec): ServiceFields =>
  desiredFields(app, app.persistent ? PIN : undefined, OPTIONS);

/** A service as AlaCrity created it before issue 17: no policy read back, no stop grace period. */
function legacyService(app: AppSpec) {
  return serviceFor(app, app.persistent ? PIN : undefined, OPTIONS, (f) => {
    delete f.updateConfig;
    delete f.rollbackConfig;
    delete f.stopGracePeriod;
  });
}

describe("desiredFields: issue 17's manifest fields", () => {
  const cases: [string, Partial<AppSpec>, Partial<ServiceFields>][] = [
    [
      "healthcheck",
      {
        healthcheck: {
          test: ["CMD", "true"],
          intervalNs: 30e9,
          timeoutNs: 5e9,
          retries: 3,
          startPeriodNs: 1e9,
        },
      },
      { healthcheck: { test: ["CMD", "true"], interval: 30e9, timeout: 5e9, retries: 3, startPeriod: 1e9 } },
    ],
    ["healthcheck: none", { healthcheck: { test: ["NONE"] } }, { healthcheck: { test: ["NONE"] } }],
    [
      "restart, condition defaulted to any",
      { restart: { delayNs: 0, maxAttempts: 2, windowNs: 60e9 } },
      { restartPolicy: { condition: "any", delay: 0, maxAttempts: 2, window: 60e9 } },
    ],
    ["stopGracePeriod", { stopGracePeriodNs: 20e9 }, { stopGracePeriod: 20e9 }],
    ["mode global", { mode: "global" }, { replicas: null }],
    ["update.order", { update: { order: "stop-first" } }, { updateOrder: "stop-first" }],
    [
      "placement",
      {
        placement: {
          constraints: ["node.labels.zone==eu"],
          preferences: ["node.labels.zone"],
          maxReplicasPerNode: 2,
        },
      },
      {
        constraints: ["node.labels.zone==eu"],
        placementPreferences: ["node.labels.zone"],
        maxReplicasPerNode: 2,
      },
    ],
    [
      "update, merged over the defaults",
      { update: { parallelism: 2, failureAction: "pause" } },
      { updateConfig: { ...DEFAULT_UPDATE_POLICY, parallelism: 2, failureAction: "pause" } },
    ],
    [
      "rollback, its order the update order unless set",
      { update: { order: "stop-first" }, rollback: { delayNs: 1e9 } },
      { rollbackConfig: { ...DEFAULT_ROLLBACK_POLICY, delay: 1e9, order: "stop-first" } },
    ],
  ];
  it.each(cases)("%s", (_, spec, expected) => {
    expect(fieldsOf(anApp("web").with(spec).build())).toMatchObject(expected);
  });

  it("a stateless app that sets none: default policies, listed as defaults, and no stop grace period", () => {
    const f = fieldsOf(anApp("web").build());
    expect(f.updateConfig).toEqual(DEFAULT_UPDATE_POLICY);
    expect(f.rollbackConfig).toEqual({ ...DEFAULT_ROLLBACK_POLICY, order: "start-first" });
    expect(f.defaulted).toEqual(["rollbackConfig", "updateConfig"]);
    expect(f).not.toHaveProperty("stopGracePeriod");
    expect(f).not.toHaveProperty("healthcheck");
    expect(f).not.toHaveProperty("restartPolicy");
    expect(f).not.toHaveProperty("placementPreferences");
  });

  it("a persistent app: 60 s to stop by default, stop-first rollbacks, its pin as its only constraint", () => {
    const f = fieldsOf(anApp("db").persistent().build());
    expect(f.stopGracePeriod).toBe(60e9);
    expect(f.defaulted).toEqual(["rollbackConfig", "stopGracePeriod", "updateConfig"]);
    expect(f.rollbackConfig?.order).toBe("stop-first");
    expect(fieldsOf(anApp("db").persistent().with({ stopGracePeriodNs: 5e9 }).build()).defaulted).toEqual([
      "rollbackConfig",
      "updateConfig",
    ]);
  });

  it("hashes what the manifest sets, and never AlaCrity's defaults", () => {
    const hash = (spec: Partial<AppSpec>, persistent = false) =>
      fieldsOf(anApp("a").persistent(persistent).with(spec).build()).labels[LABEL.hash];
    const none = hash({});
    // Setting a field to its default value is still setting it: the manifest's, hashed.
    expect(hash({ update: { failureAction: "rollback" } })).not.toBe(none);
    expect(hash({ rollback: { parallelism: 1 } })).not.toBe(none);
    expect(hash({ stopGracePeriodNs: 10e9 })).not.toBe(none);
    expect(hash({ healthcheck: { test: ["NONE"] } })).not.toBe(none);
    expect(hash({ restart: { condition: "any" } })).not.toBe(none);
    expect(hash({ placement: { constraints: [], preferences: ["node.labels.z"] } })).not.toBe(none);
    expect(hash({ mode: "global" })).not.toBe(none);
    // Positive control of the negative: the same manifest, the same hash.
    expect(hash({})).toBe(none);
    expect(hash({ placement: { constraints: [], preferences: [] } })).toBe(none);
    expect(hash({ update: { order: "start-first" } })).toBe(none);
    expect(hash({}, true)).toBe(hash({ stopGracePeriodNs: undefined }, true));
  });
});

describe("diffFields: issue 17's fields, field by field", () => {
  it("writes durations as the manifest does", () => {
    expect([0, 5e8, 1e9, 1.5e9, 90e9, 3600e9, 3690e9, 250, 2500].map(formatDuration)).toEqual([
      "0s",
      "500ms",
      "1s",
      "1.5s",
      "1m30s",
      "1h",
      "1h1m30s",
      "250ns",
      "2.5µs",
    ]);
  });

  it("names each sub-field, with readable values", () => {
    const before = fieldsOf(anApp("web").build());
    const after = fieldsOf(
      anApp("web")
        .with({
          healthcheck: { test: ["CMD-SHELL", "pg_isready"], intervalNs: 90e9 },
          update: { monitorNs: 30e9 },
          restart: { condition: "on-failure", maxAttempts: 3 },
          stopGracePeriodNs: 20e9,
          placement: { constraints: [], preferences: ["node.labels.zone"] },
        })
        .build(),
    );
    const changes = diffFields(before, after).filter((c) => !c.field.startsWith("labels."));
    expect(changes).toEqual([
      { field: "healthcheck.test", from: "(image's own)", to: '["CMD-SHELL","pg_isready"]' },
      { field: "healthcheck.interval", from: "(Swarm's default)", to: "1m30s" },
      { field: "updateConfig.monitor", from: "5s", to: "30s" },
      { field: "restartPolicy.condition", from: "(Swarm's default)", to: "on-failure" },
      { field: "restartPolicy.maxAttempts", from: "unlimited", to: "3" },
      { field: "stopGracePeriod", from: "(Swarm's default)", to: "20s" },
      { field: "placementPreferences", from: "(none)", to: "spread node.labels.zone" },
    ]);
    expect(changes.some(isDefaultChange)).toBe(false);
  });

  it("marks AlaCrity's defaults against a service that predates them", () => {
    const app = anApp("db").persistent().build();
    const changes = diffFields(legacyService(app).fields, fieldsOf(app));
    expect(changes).toContainEqual({
      field: "updateConfig.failureAction",
      from: "pause",
      to: `rollback${DEFAULT_MARK}`,
    });
    expect(changes).toContainEqual({
      field: "updateConfig.monitor",
      from: "(Swarm's default) 5s",
      to: `5s${DEFAULT_MARK}`,
    });
    expect(changes).toContainEqual({
      field: "stopGracePeriod",
      from: "(Swarm's default)",
      to: `1m${DEFAULT_MARK}`,
    });
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every(isDefaultChange)).toBe(true);
  });
});

describe("plan: AlaCrity's defaults never redeploy by themselves", () => {
  const swarm = () => aSwarm().withNode("w1").withDefaultNetwork().withPin("db", "id-w1");

  it("a service that predates them plans nothing, and one warning names it (and every other)", () => {
    const db = anApp("db").persistent().build();
    const web = anApp("web").build();
    const observed = swarm().withService(legacyService(db)).withService(legacyService(web)).build();
    const p = plan(desiredOf([db, web]), observed, OPTIONS);
    expect(p.actions).toEqual([]);
    expect(p.warnings).toEqual([
      {
        message:
          "2 existing services do not have AlaCrity's current defaults yet: db (rollbackConfig, stopGracePeriod, updateConfig), " +
          "web (rollbackConfig, updateConfig); each gets them with its next update, and none is restarted for them",
      },
    ]);
    // Positive control: a service that has them is neither updated nor named.
    const current = plan(desiredOf([web]), swarm().withService(serviceFor(web)).build(), OPTIONS);
    expect(current.actions).toEqual([]);
    expect(current.warnings).toEqual([]);
  });

  it("an update for another reason brings them, listed as defaults; one that restarts writes them all", () => {
    const before = anApp("db").persistent().build();
    const after = anApp("db").persistent().image("postgres:17").build();
    const p = plan(desiredOf([after]), swarm().withService(legacyService(before)).build(), OPTIONS);
    const update = p.actions.find((a) => a.kind === "update");
    expect(update?.kind === "update" && update.restarts).toBe(true);
    expect(update?.kind === "update" && update.fields.stopGracePeriod).toBe(60e9);
    expect(update?.kind === "update" && update.changes.filter(isDefaultChange).map((c) => c.field)).toContain(
      "stopGracePeriod",
    );
    expect(update?.kind === "update" && update.changes.map((c) => c.field)).toContain("image");
    expect(p.warnings).toEqual([]);
  });

  it("an update that replaces no task keeps the service's stop grace period, and says it is still pending", () => {
    const before = anApp("db").persistent().build();
    const after = anApp("db").persistent().label("team", "data").build();
    const p = plan(desiredOf([after]), swarm().withService(legacyService(before)).build(), OPTIONS);
    const update = p.actions.find((a) => a.kind === "update");
    if (update?.kind !== "update") throw new Error("expected an update");
    expect(update.restarts).toBe(false);
    expect(update.fields).not.toHaveProperty("stopGracePeriod");
    expect(update.fields.updateConfig).toEqual(DEFAULT_UPDATE_POLICY);
    expect(update.changes.map((c) => c.field)).not.toContain("stopGracePeriod");
    expect(update.changes.map((c) => c.field)).toContain("updateConfig.failureAction");
    expect(p.warnings.map((w) => w.message)).toEqual([
      expect.stringContaining(
        "1 existing service does not have AlaCrity's current defaults yet: db (stopGracePeriod)",
      ),
    ]);
  });

  it("a change of mode is an update that recreates the service and restarts it", () => {
    const web = anApp("web").build();
    const global = anApp("web").with({ mode: "global" }).build();
    const p = plan(desiredOf([global]), swarm().withService(serviceFor(web)).build(), OPTIONS);
    expect(p.actions).toMatchObject([
      { kind: "update", recreate: true, restarts: true, restartOrder: "start-first" },
    ]);
    // Positive control: replicas changed by hand are scaled back, no recreate.
    const handScaled = serviceFor(web, undefined, OPTIONS, (f) => (f.replicas = 3));
    const scaled = plan(desiredOf([web]), swarm().withService(handScaled).build(), OPTIONS);
    expect(scaled.actions).toMatchObject([{ kind: "scale", from: 3, to: 1 }]);
    expect(scaled.actions[0]).not.toHaveProperty("recreate");
  });

  it("a manifest's own policy is compared: drift in it is corrected, in a defaulted one not", () => {
    const app = anApp("web")
      .with({ update: { parallelism: 2 } })
      .build();
    const drifted = serviceFor(
      app,
      undefined,
      OPTIONS,
      (f) => (f.updateConfig = { ...f.updateConfig!, parallelism: 5 }),
    );
    const p = plan(desiredOf([app]), swarm().withService(drifted).build(), OPTIONS);
    expect(p.actions).toMatchObject([
      {
        kind: "update",
        reason: "drift corrected",
        changes: [{ field: "updateConfig.parallelism", from: "5", to: "2" }],
        restarts: false,
      },
    ]);
    const plain = anApp("web").build();
    const handEdited = serviceFor(
      plain,
      undefined,
      OPTIONS,
      (f) => (f.updateConfig = { ...f.updateConfig!, parallelism: 5 }),
    );
    expect(plan(desiredOf([plain]), swarm().withService(handEdited).build(), OPTIONS).actions).toEqual([]);
  });
});
