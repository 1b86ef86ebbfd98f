import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fieldsFromSpec } from "../../../src/swarm/serviceFields.js";
import { specFromFields } from "../../../src/swarm/serviceSpec.js";
import type { SwarmIds } from "../../../src/swarm/swarmIds.js";
import type { FileMountFields, NetworkAttachmentFields, ServiceFields } from "../../../src/swarm/types.js";
import type Docker from "dockerode";

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

/** Stand-in IDs, as Swarm's are: unrelated to the name, one per object. */
const idOf = (kind: string, name: string): string => `${kind}-id-${Buffer.from(name).toString("hex")}`;
const ids: SwarmIds = {
  network: (name) => idOf("network", name),
  secret: (name) => idOf("secret", name),
  config: (name) => idOf("config", name),
};

/** What Swarm stores: network IDs in Target (it resolves a name to its ID on create). */
function asStored(spec: Docker.ServiceSpec): Docker.ServiceSpec {
  const task = spec.TaskTemplate as Docker.ContainerTaskSpec;
  return {
    ...spec,
    EndpointSpec: { Mode: "vip", ...spec.EndpointSpec },
    TaskTemplate: {
      ...task,
      ...(task.Networks
        ? { Networks: task.Networks.map((n) => ({ ...n, Target: idOf("network", n.Target ?? "") })) }
        : {}),
    },
  };
}

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
const unique = <T>(arb: fc.Arbitrary<T>, key: (t: T) => string) =>
  fc.uniqueArray(arb, { selector: key, maxLength: 4 });
const byKey =
  <T>(key: (t: T) => string) =>
  (a: T, b: T): number =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

const networksArb: fc.Arbitrary<NetworkAttachmentFields[]> = unique(
  fc.record({ network: name, aliases: fc.array(name, { maxLength: 3 }) }),
  (n) => n.network,
).map((list) => list.sort(byKey((n) => n.network)));

const fileMountsArb: fc.Arbitrary<FileMountFields[]> = unique(
  fc.record({
    source: name,
    target: fc.oneof(
      name,
      name.map((n) => `/run/secrets/${n}`),
    ),
    uid: fc.constantFrom("0", "1000"),
    gid: fc.constantFrom("0", "1000"),
    mode: fc.constantFrom(0o400, 0o440, 0o444),
  }),
  (m) => m.target,
).map((list) => list.sort(byKey((m) => m.target)));

const fieldsArb: fc.Arbitrary<ServiceFields> = fc
  .record(
    {
      networks: networksArb,
      endpointMode: fc.constant("dnsrr" as const),
      secrets: fileMountsArb,
      configs: fileMountsArb,
    },
    { requiredKeys: [] },
  )
  .map((extra) => {
    const fields: ServiceFields = { ...base };
    // Empty lists read back as absent: the planner writes absent for "none".
    if (extra.networks?.length) fields.networks = extra.networks;
    if (extra.endpointMode) fields.endpointMode = extra.endpointMode;
    if (extra.secrets?.length) fields.secrets = extra.secrets;
    if (extra.configs?.length) fields.configs = extra.configs;
    return fields;
  });

const networkNames = (fields: ServiceFields): Map<string, string> =>
  new Map((fields.networks ?? []).map((n) => [idOf("network", n.network), n.network]));

describe("networks, endpoint mode, secrets and configs round-trip", () => {
  it("fieldsFromSpec(stored(specFromFields(f)), network names) equals f", () => {
    fc.assert(
      fc.property(fieldsArb, (fields) => {
        // As the executor does: network names as Target, which Swarm stores as IDs.
        const stored = asStored(specFromFields("web", fields, { ...ids, network: (n) => n }));
        expect(fieldsFromSpec(stored, networkNames(fields))).toEqual(fields);
      }),
    );
  });

  it("writes secret and config IDs beside their names, and network targets through the lookup", () => {
    const fields: ServiceFields = {
      ...base,
      networks: [{ network: "alacran--default", aliases: ["web"] }],
      secrets: [
        { source: "alacran--pw--0123456789ab", target: "/run/secrets/pw", uid: "0", gid: "0", mode: 0o400 },
      ],
      configs: [
        { source: "alacran--conf--0123456789ab", target: "/etc/conf", uid: "0", gid: "0", mode: 0o444 },
      ],
    };
    const spec = specFromFields("web", fields, ids);
    expect(spec.TaskTemplate).toMatchObject({
      Networks: [{ Target: idOf("network", "alacran--default"), Aliases: ["web"] }],
      ContainerSpec: {
        Secrets: [
          {
            SecretName: "alacran--pw--0123456789ab",
            SecretID: idOf("secret", "alacran--pw--0123456789ab"),
            File: { Name: "/run/secrets/pw", UID: "0", GID: "0", Mode: 0o400 },
          },
        ],
        Configs: [
          {
            ConfigName: "alacran--conf--0123456789ab",
            ConfigID: idOf("config", "alacran--conf--0123456789ab"),
            File: { Name: "/etc/conf", UID: "0", GID: "0", Mode: 0o444 },
          },
        ],
      },
    });
  });

  it("a service without any reads as before: no networks, vip, no secrets or configs", () => {
    const stored = asStored(specFromFields("web", base));
    expect(stored.TaskTemplate).not.toHaveProperty("Networks");
    expect(fieldsFromSpec(stored)).toEqual(base);
  });

  it("sorts what Swarm returns in another order, and keeps an unknown network's ID as its name", () => {
    const spec: Docker.ServiceSpec = {
      TaskTemplate: {
        ContainerSpec: {
          Image: base.image,
          Secrets: [
            { SecretName: "b", SecretID: "2", File: { Name: "z", UID: "0", GID: "0", Mode: 0o444 } },
            { SecretName: "a", SecretID: "1", File: { Name: "y", UID: "0", GID: "0", Mode: 0o444 } },
          ],
        },
        Networks: [{ Target: "id-2" }, { Target: "id-1", Aliases: ["x"] }],
      },
    };
    const fields = fieldsFromSpec(spec, new Map([["id-1", "zeta"]]));
    expect(fields.networks).toEqual([
      { network: "id-2", aliases: [] },
      { network: "zeta", aliases: ["x"] },
    ]);
    expect(fields.secrets?.map((s) => s.target)).toEqual(["y", "z"]);
  });
});
