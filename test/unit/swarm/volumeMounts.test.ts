import fc from "fast-check";
import type Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { LABEL } from "../../../src/domain/names.js";
import type { VolumeSpec } from "../../../src/manifest/types.js";
import { desiredFields } from "../../../src/reconcile/desiredFields.js";
import { diffFields, sameFields } from "../../../src/reconcile/diff.js";
import { fieldsFromSpec } from "../../../src/swarm/serviceFields.js";
import { specFromFields } from "../../../src/swarm/serviceSpec.js";
import { anApp, OPTIONS } from "../reconcile/builders.js";

/*
 * The three kinds of volume, from the manifest to the Swarm spec and back: what a service reads
 * back is what the planner wrote, so an untouched service has no drift, and an external volume is
 * mounted exactly as a label-based one (type volume, the same options), by its own name.
 */

const name = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,20}$/);
const path = fc.stringMatching(/^\/[a-z0-9]{1,8}(\/[a-z0-9_.-]{1,8}){0,2}$/);
const volumeArb: fc.Arbitrary<VolumeSpec> = fc.oneof(
  fc.record({ kind: fc.constant("named" as const), name, containerPath: path, readOnly: fc.boolean() }),
  fc.record({ kind: fc.constant("external" as const), name, containerPath: path, readOnly: fc.boolean() }),
  fc.record({
    kind: fc.constant("host" as const),
    hostPath: path,
    containerPath: path,
    readOnly: fc.boolean(),
  }),
);
const PIN = { nodeId: "id-a", hostname: "a" };
const fieldsOf = (volumes: VolumeSpec[]) =>
  desiredFields(anApp("db").persistent().with({ volumes }).build(), PIN, OPTIONS);
const mountsOf = (spec: Docker.ServiceSpec) =>
  (spec.TaskTemplate as Docker.ContainerTaskSpec).ContainerSpec?.Mounts;

describe("volumes round-trip through the Swarm spec", () => {
  it("fieldsFromSpec(specFromFields(desiredFields(app))) has the app's mounts, for every kind", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(volumeArb, { maxLength: 4, selector: (v) => v.containerPath }),
        (volumes) => {
          const fields = fieldsOf(volumes);
          const read = fieldsFromSpec(specFromFields("db", fields));
          expect(read.mounts).toEqual(fields.mounts);
          expect(sameFields(read, fields)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("mounts an external volume by its own name, with the options of a label-based one", () => {
    const [named, external] = mountsOf(
      specFromFields(
        "db",
        fieldsOf([
          { kind: "named", name: "x", containerPath: "/x", readOnly: false },
          { kind: "external", name: "shop_db-data", containerPath: "/data", readOnly: true },
        ]),
      ),
    )!;
    expect(named).toMatchObject({ Type: "volume", Source: "alacran--x", Target: "/x" });
    expect(external).toEqual({
      Type: "volume",
      Source: "shop_db-data",
      Target: "/data",
      ReadOnly: true,
      VolumeOptions: named?.VolumeOptions,
    });
    expect(named?.VolumeOptions).toEqual({ Labels: { [LABEL.managed]: "true", [LABEL.app]: "db" } });
  });

  it("an external volume that is the label-based one's Docker volume is no change; another name is one, shown", () => {
    const named = fieldsOf([{ kind: "named", name: "x", containerPath: "/data", readOnly: false }]);
    const same = fieldsOf([
      { kind: "external", name: "alacran--x", containerPath: "/data", readOnly: false },
    ]);
    const other = fieldsOf([{ kind: "external", name: "shop_x", containerPath: "/data", readOnly: false }]);
    expect(diffFields(named, same).filter((c) => c.field === "mounts")).toEqual([]);
    expect(diffFields(named, other).filter((c) => c.field === "mounts")).toEqual([
      { field: "mounts", from: "volume alacran--x -> /data", to: "volume shop_x -> /data" },
    ]);
  });
});
