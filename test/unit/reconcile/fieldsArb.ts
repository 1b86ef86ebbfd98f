import fc from "fast-check";
import type { ServiceFields } from "../../../src/swarm/types.js";
import { LABEL } from "../../../src/domain/names.js";

/** Any service fields, with the awkward corners: escapes, integer-like keys, empty lists, our labels. */
const text = fc.string({
  maxLength: 6,
  unit: fc.constantFrom("a", "Z", "_", "é", '"', "\\", "\n", "0", "😀"),
});
const record = fc.dictionary(text, text, { maxKeys: 4 });
const fileMount = fc.record({ source: text, target: text, uid: text, gid: text, mode: fc.nat(0o777) });
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
