import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type Docker from "dockerode";
import { isLegacyUpdatePolicy } from "../../../src/domain/legacyUpdatePolicy.js";
import { LABEL } from "../../../src/domain/names.js";
import { fieldsFromSpec } from "../../../src/swarm/serviceFields.js";
import { specFromFields, type ContainerSpec } from "../../../src/swarm/serviceSpec.js";
import type { ServiceFields } from "../../../src/swarm/types.js";
import { healthcheckArb, policyArb, restartPolicyArb } from "../reconcile/fieldsArb.js";
import { normalizeFields } from "../../../src/reconcile/normalize.js";

const base: ServiceFields = {
  image: "alacrity-test/busybox:1",
  env: {},
  ports: [],
  mounts: [],
  constraints: [],
  labels: { "alacrity.managed": "true", "alacrity.app": "web" },
  replicas: 1,
  updateOrder: "stop-first",
  maxReplicasPerNode: 0,
};

const order = fc.constantFrom("stop-first" as const, "start-first" as const);
const descriptor = fc.stringMatching(/^node\.labels\.[a-z]{1,8}$/);

/**
 * Issue 17's fields as the planner writes them (normalised: a zero health-check duration is
 * none), but for the legacy policy shape, which reads back as none by design (legacyUpdatePolicy.ts).
 */
const fieldsArb: fc.Arbitrary<ServiceFields> = fc
  .record(
    {
      healthcheck: healthcheckArb,
      updateConfig: policyArb,
      rollbackConfig: fc.tuple(policyArb, order).map(([p, o]) => ({ ...p, order: o })),
      restartPolicy: restartPolicyArb,
      stopGracePeriod: fc.integer({ min: 1, max: 300 }).map((s) => s * 1e9),
      placementPreferences: fc.array(descriptor, { minLength: 1, maxLength: 3 }),
      updateOrder: order,
      replicas: fc.option(fc.nat(3), { nil: null }),
    },
    { requiredKeys: ["updateOrder", "replicas"] },
  )
  .map((extra) => normalizeFields({ ...base, ...extra }))
  .filter(
    (f) =>
      !(f.updateConfig && isLegacyUpdatePolicy(f.updateConfig)) &&
      !(
        f.rollbackConfig &&
        isLegacyUpdatePolicy(f.rollbackConfig) &&
        f.rollbackConfig.order === f.updateOrder
      ),
  );

/** What Swarm returns for what it was sent: the zero Delay and Monitor and a zero MaxAttempts dropped. */
function asStored(spec: Docker.ServiceSpec): Docker.ServiceSpec {
  const stored = structuredClone(spec);
  for (const policy of [stored.UpdateConfig, stored.RollbackConfig]) {
    if (policy?.Delay === 0) delete policy.Delay;
    if (policy?.Monitor === 0) delete policy.Monitor;
  }
  const task = stored.TaskTemplate as Docker.ContainerTaskSpec;
  if (task.RestartPolicy && task.RestartPolicy.MaxAttempts === undefined) task.RestartPolicy.MaxAttempts = 0;
  return stored;
}

describe("health check, policies, stop grace period, placement preferences, mode round-trip", () => {
  it("fieldsFromSpec(stored(specFromFields(f))) equals f", () => {
    fc.assert(
      fc.property(fieldsArb, (fields) => {
        expect(fieldsFromSpec(asStored(specFromFields("web", fields)))).toEqual(fields);
      }),
      { numRuns: 500 },
    );
  });

  it("writes the Engine API's shape", () => {
    const spec = specFromFields("web", {
      ...base,
      healthcheck: { test: ["CMD", "true"], interval: 1e9, retries: 2 },
      stopGracePeriod: 60e9,
      restartPolicy: { condition: "on-failure", delay: 0 },
      placementPreferences: ["node.labels.zone"],
      maxReplicasPerNode: 2,
      updateConfig: { parallelism: 1, delay: 0, failureAction: "rollback", monitor: 5e9, maxFailureRatio: 0 },
      replicas: null,
    });
    const task = spec.TaskTemplate as Docker.ContainerTaskSpec;
    expect(task.ContainerSpec as ContainerSpec).toMatchObject({
      Healthcheck: { Test: ["CMD", "true"], Interval: 1e9, Retries: 2 },
      StopGracePeriod: 60e9,
    });
    expect(task.RestartPolicy).toEqual({ Condition: "on-failure", Delay: 0 });
    expect(task.Placement).toEqual({
      Constraints: [],
      Preferences: [{ Spread: { SpreadDescriptor: "node.labels.zone" } }],
      MaxReplicas: 2,
    });
    expect(spec.UpdateConfig).toEqual({
      Parallelism: 1,
      FailureAction: "rollback",
      Monitor: 5e9,
      MaxFailureRatio: 0,
      Order: "stop-first",
    });
    expect(spec.Mode).toEqual({ Global: {} });
  });

  it("reads the shape of services created before issue 17 as no policy at all", () => {
    const legacy: Docker.ServiceSpec = {
      TaskTemplate: { ContainerSpec: { Image: base.image } },
      UpdateConfig: { Parallelism: 1, FailureAction: "pause", MaxFailureRatio: 0, Order: "start-first" },
      RollbackConfig: { Parallelism: 1, FailureAction: "pause", MaxFailureRatio: 0, Order: "start-first" },
    };
    const fields = fieldsFromSpec(legacy);
    expect(fields).not.toHaveProperty("updateConfig");
    expect(fields).not.toHaveProperty("rollbackConfig");
    expect(fields).not.toHaveProperty("stopGracePeriod");
    // Positive control: a rollback order of its own is a policy.
    const own = fieldsFromSpec({
      ...legacy,
      RollbackConfig: { ...legacy.RollbackConfig!, Order: "stop-first" },
    });
    expect(own.rollbackConfig).toEqual({
      parallelism: 1,
      delay: 0,
      failureAction: "pause",
      monitor: 0,
      maxFailureRatio: 0,
      order: "stop-first",
    });
    // And what specFromFields writes without a policy is that legacy shape.
    expect(specFromFields("web", { ...base, updateOrder: "start-first" }).UpdateConfig).toEqual({
      Parallelism: 1,
      FailureAction: "pause",
      MaxFailureRatio: 0,
      Order: "start-first",
    });
  });

  it("labels the containers with the spec hash", () => {
    const fields = { ...base, labels: { ...base.labels, [LABEL.hash]: "h1" } };
    const container = (spec: Docker.ServiceSpec) =>
      (spec.TaskTemplate as Docker.ContainerTaskSpec).ContainerSpec;
    expect(container(specFromFields("web", fields))?.Labels).toEqual({ [LABEL.taskHash]: "h1" });
    expect(container(specFromFields("web", base))).not.toHaveProperty("Labels");
    // Bookkeeping, not a field: it is not read back.
    expect(fieldsFromSpec(specFromFields("web", fields)).labels).toEqual(fields.labels);
  });
});
