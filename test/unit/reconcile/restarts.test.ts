import { describe, expect, it } from "vitest";
import { diffFields } from "../../../src/reconcile/diff.js";
import { restartOf, SPEC_PART, specPart } from "../../../src/reconcile/restarts.js";
import type { FieldChange } from "../../../src/reconcile/types.js";
import type { ServiceFields } from "../../../src/swarm/types.js";

const base = (): ServiceFields => ({
  image: "app:1",
  env: { A: "1" },
  ports: [{ target: 80, protocol: "tcp" }],
  mounts: [{ kind: "named", source: "alacran--d", target: "/d", readOnly: false }],
  constraints: ["node.id==n1"],
  labels: { team: "a" },
  replicas: 1,
  updateOrder: "stop-first",
  maxReplicasPerNode: 1,
  // Set, so that the update order alone does not change the legacy rollback order with it.
  updateConfig: { parallelism: 1, delay: 0, failureAction: "rollback", monitor: 5e9, maxFailureRatio: 0 },
  rollbackConfig: {
    parallelism: 1,
    delay: 0,
    failureAction: "pause",
    monitor: 5e9,
    maxFailureRatio: 0,
    order: "stop-first",
  },
});

/** Each field `diffFields` compares, changed on its own. */
const ONE_FIELD_CHANGED: Record<string, (f: ServiceFields) => void> = {
  image: (f) => (f.image = "app:2"),
  command: (f) => (f.command = ["run"]),
  args: (f) => (f.args = ["-v"]),
  "env.A": (f) => (f.env = { A: "2" }),
  "env.B": (f) => (f.env = { A: "1", B: "new" }),
  ports: (f) => (f.ports = [{ target: 80, published: 8080, protocol: "tcp" }]),
  mounts: (f) => (f.mounts = [{ kind: "named", source: "alacran--d", target: "/d", readOnly: true }]),
  constraints: (f) => (f.constraints = ["node.id==n2"]),
  "labels.team": (f) => (f.labels = { team: "b" }),
  replicas: (f) => (f.replicas = 0),
  updateOrder: (f) => (f.updateOrder = "start-first"),
  maxReplicasPerNode: (f) => (f.maxReplicasPerNode = 0),
  "resources.limits.cpus": (f) => (f.resources = { limits: { nanoCpus: 5e8 } }),
  "resources.limits.memory": (f) => (f.resources = { limits: { memoryBytes: 2 ** 26 } }),
  "resources.reservations.cpus": (f) => (f.resources = { reservations: { nanoCpus: 5e8 } }),
  "resources.reservations.memory": (f) => (f.resources = { reservations: { memoryBytes: 2 ** 26 } }),
  networks: (f) => (f.networks = [{ network: "alacran--default", aliases: [] }]),
  endpointMode: (f) => (f.endpointMode = "dnsrr"),
  "secrets.pw": (f) =>
    (f.secrets = [
      { source: "alacran--pw--0123456789ab", target: "/run/secrets/pw", uid: "0", gid: "0", mode: 0o444 },
    ]),
  "configs.conf": (f) =>
    (f.configs = [
      { source: "alacran--conf--0123456789ab", target: "/conf", uid: "0", gid: "0", mode: 0o444 },
    ]),
  "healthcheck.test": (f) => (f.healthcheck = { test: ["NONE"] }),
  stopGracePeriod: (f) => (f.stopGracePeriod = 60e9),
  "restartPolicy.condition": (f) => (f.restartPolicy = { condition: "any" }),
  placementPreferences: (f) => (f.placementPreferences = ["node.labels.zone"]),
  "updateConfig.failureAction": (f) => (f.updateConfig = { ...f.updateConfig!, failureAction: "pause" }),
  "rollbackConfig.parallelism": (f) => (f.rollbackConfig = { ...f.rollbackConfig!, parallelism: 2 }),
};

/**
 * What Swarm does to the running task (on node n1) when the field alone changes: verified on the
 * real Swarm with `docker service update` (the task ID changes or stays) and in swarmkit's
 * `IsTaskDirty`. The constraint moves the task to n2, so it is replaced.
 */
const RESTARTS: Record<string, boolean> = {
  image: true,
  command: true,
  args: true,
  "env.A": true,
  "env.B": true,
  ports: true,
  mounts: true,
  constraints: true,
  "labels.team": false,
  replicas: false,
  updateOrder: false,
  maxReplicasPerNode: false,
  "resources.limits.cpus": true,
  "resources.limits.memory": true,
  "resources.reservations.cpus": true,
  "resources.reservations.memory": true,
  // TaskTemplate.Networks, ContainerSpec.Secrets/Configs and EndpointSpec (swarmkit's IsTaskDirty).
  networks: true,
  endpointMode: true,
  "secrets.pw": true,
  "configs.conf": true,
  "healthcheck.test": true,
  stopGracePeriod: true,
  "restartPolicy.condition": true,
  // Verified on Docker 20.10: a placement change the node still satisfies keeps the task.
  placementPreferences: false,
  "updateConfig.failureAction": false,
  "rollbackConfig.parallelism": false,
};

const change = (field: string): FieldChange => ({ field, from: "a", to: "b" });

describe("restartOf: whether an update replaces the running containers", () => {
  it.each(Object.keys(ONE_FIELD_CHANGED))("%s alone", (field) => {
    const next = base();
    ONE_FIELD_CHANGED[field]!(next);
    const changes = diffFields(base(), next);
    // The case changes exactly the field it is named after (so the table below covers the diff).
    expect(changes.map((c) => c.field)).toEqual([field]);
    const expected = RESTARTS[field] ? { restarts: true, order: next.updateOrder } : { restarts: false };
    expect(restartOf(changes, next, ["n1"])).toEqual(expected);
  });

  it("knows every top-level field diffFields can name (the table is exhaustive)", () => {
    const heads = new Set(Object.keys(ONE_FIELD_CHANGED).map((f) => f.split(".")[0]));
    expect([...heads].sort()).toEqual(Object.keys(SPEC_PART).sort());
  });

  it("takes a field it does not know to replace the tasks, so a new field never promises 'no'", () => {
    expect(specPart("somethingNew")).toBe("task");
    expect(restartOf([change("somethingNew")], base(), ["n1"])).toEqual({
      restarts: true,
      order: "stop-first",
    });
    // Positive control: a known service-level field does not.
    expect(restartOf([change("labels.team")], base(), ["n1"])).toEqual({ restarts: false });
  });

  it("a constraint alone replaces only tasks on a node that no longer satisfies it", () => {
    const next = { ...base(), constraints: ["node.id==n1"] };
    const restored = [change("constraints")];
    expect(restartOf(restored, next, ["n1"])).toEqual({ restarts: false });
    expect(restartOf(restored, next, [])).toEqual({ restarts: false });
    expect(restartOf(restored, next, ["n2"])).toEqual({ restarts: true, order: "stop-first" });
    expect(restartOf(restored, next, ["n1", "n2"])).toEqual({ restarts: true, order: "stop-first" });
    // Constraints removed: every node satisfies none.
    expect(restartOf(restored, { ...next, constraints: [] }, ["n2"])).toEqual({ restarts: false });
    expect(restartOf(restored, { ...next, constraints: ["node.id!=n2"] }, ["n1"])).toEqual({
      restarts: false,
    });
    expect(restartOf(restored, { ...next, constraints: ["node.id!=n1"] }, ["n1"])).toEqual({
      restarts: true,
      order: "stop-first",
    });
    // An expression the node ID cannot answer is taken as unsatisfied.
    expect(restartOf(restored, { ...next, constraints: ["node.labels.disk==ssd"] }, ["n1"])).toEqual({
      restarts: true,
      order: "stop-first",
    });
  });

  it("a constraint with a task-template change restarts even where the node still fits", () => {
    expect(restartOf([change("constraints"), change("image")], base(), ["n1"])).toEqual({
      restarts: true,
      order: "stop-first",
    });
  });

  it("restarts in the update order the update writes (start-first for a stateless app)", () => {
    const next = { ...base(), updateOrder: "start-first" as const };
    expect(restartOf([change("image")], next, [])).toEqual({ restarts: true, order: "start-first" });
  });

  it("no change, no restart", () => {
    expect(restartOf([], base(), ["n1"])).toEqual({ restarts: false });
  });
});
