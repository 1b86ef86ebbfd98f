import fc from "fast-check";
import type {
  HealthcheckFields,
  RestartPolicyFields,
  ServiceFields,
  UpdatePolicyFields,
} from "../../../src/swarm/types.js";
import { LABEL } from "../../../src/domain/names.js";

/** Any service fields, with the awkward corners: escapes, integer-like keys, empty lists, our labels. */
const text = fc.string({
  maxLength: 6,
  unit: fc.constantFrom("a", "Z", "_", "é", '"', "\\", "\n", "0", "😀"),
});
const record = fc.dictionary(text, text, { maxKeys: 4 });
const fileMount = fc.record({ source: text, target: text, uid: text, gid: text, mode: fc.nat(0o777) });
const order = fc.constantFrom("stop-first" as const, "start-first" as const);
const duration = fc.oneof(
  fc.constant(0),
  fc.nat(600).map((s) => s * 1e9),
  fc.nat(2e9),
);
export const healthcheckArb: fc.Arbitrary<HealthcheckFields> = fc.record(
  {
    test: fc.oneof(
      fc.constant(["NONE"] as string[]),
      fc.array(text, { maxLength: 3 }).map((args) => ["CMD", ...args]),
      text.map((t) => ["CMD-SHELL", t]),
    ),
    interval: duration,
    timeout: duration,
    retries: fc.nat(10),
    startPeriod: duration,
  },
  { requiredKeys: ["test"] },
);
export const policyArb: fc.Arbitrary<UpdatePolicyFields> = fc.record({
  parallelism: fc.nat(4),
  delay: duration,
  failureAction: fc.constantFrom("rollback" as const, "pause" as const, "continue" as const),
  monitor: duration,
  maxFailureRatio: fc.constantFrom(0, 0.25, 0.5, 1),
});
export const restartPolicyArb: fc.Arbitrary<RestartPolicyFields> = fc.record(
  {
    condition: fc.constantFrom("any" as const, "on-failure" as const, "none" as const),
    delay: duration,
    maxAttempts: fc.nat(5),
    window: duration,
  },
  { requiredKeys: ["condition"] },
);

export const fieldsArb: fc.Arbitrary<ServiceFields> = fc.record(
  {
    image: text,
    command: fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }),
    args: fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }),
    env: record,
    ports: fc.array(
      fc.record(
        {
          target: fc.nat(70_000),
          published: fc.nat(70_000),
          protocol: fc.constantFrom("tcp" as const, "udp" as const),
        },
        { requiredKeys: ["target", "protocol"] },
      ),
      { maxLength: 3 },
    ),
    mounts: fc.array(
      fc.record({
        kind: fc.constantFrom("named" as const, "host" as const),
        source: text,
        target: text,
        readOnly: fc.boolean(),
      }),
      { maxLength: 3 },
    ),
    constraints: fc.array(text, { maxLength: 2 }),
    labels: fc.oneof(
      record,
      record.map((r) => ({ ...r, [LABEL.hash]: "x", [LABEL.revision]: "y" })),
    ),
    replicas: fc.option(fc.nat(5), { nil: null }),
    updateOrder: fc.constantFrom("stop-first" as const, "start-first" as const),
    maxReplicasPerNode: fc.nat(3),
    // Zeros too: Swarm's "none", which must read and hash as an absent amount.
    resources: fc.record(
      {
        limits: fc.record({ nanoCpus: fc.nat(4e9), memoryBytes: fc.nat(2 ** 34) }, { requiredKeys: [] }),
        reservations: fc.record(
          { nanoCpus: fc.nat(4e9), memoryBytes: fc.nat(2 ** 34) },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
    // Issue 16: empty lists and vip are "none", which must hash as an absent field.
    networks: fc.array(fc.record({ network: text, aliases: fc.array(text, { maxLength: 2 }) }), {
      maxLength: 2,
    }),
    endpointMode: fc.constantFrom("vip" as const, "dnsrr" as const),
    secrets: fc.array(fileMount, { maxLength: 2 }),
    configs: fc.array(fileMount, { maxLength: 2 }),
    // Issue 17: zeros too (Swarm's "inherit" for a health check's durations), and defaulted fields.
    healthcheck: healthcheckArb,
    updateConfig: policyArb,
    rollbackConfig: policyArb.chain((p) => order.map((o) => ({ ...p, order: o }))),
    restartPolicy: restartPolicyArb,
    stopGracePeriod: fc.nat(120e9),
    placementPreferences: fc.array(text, { maxLength: 2 }),
    defaulted: fc.subarray(["updateConfig" as const, "rollbackConfig" as const, "stopGracePeriod" as const]),
  },
  {
    requiredKeys: [
      "image",
      "env",
      "ports",
      "mounts",
      "constraints",
      "labels",
      "replicas",
      "updateOrder",
      "maxReplicasPerNode",
    ],
  },
);
