import { describe, expect, it } from "vitest";
import { inventory } from "../../../src/reconcile/inventory.js";
import { plan } from "../../../src/reconcile/plan.js";
import { recordStorage, storageOf } from "../../../src/reconcile/storageRecord.js";
import { LABEL } from "../../../src/domain/names.js";
import { aSwarm, anApp, desiredOf, OPTIONS, serviceFor } from "./builders.js";
import { applyWholePlan } from "./memorySwarm.js";

/* Issue 19: what persistent data AlaCrity knows of, from the pin records and the Swarm. */

const db = () => anApp("db").persistent().withVolume("data", "/data").withHostPath("/srv/db/dumps", "/dumps");
const onA = { nodeId: "id-a", hostname: "a" };

describe("the storage a pin records", () => {
  it("is what the app mounts: label-based volumes by their Docker name, external ones and host paths", () => {
    const app = db().withExternalVolume("shop_media", "/media").build();
    expect(storageOf(app)).toEqual({
      volumes: ["alacran--data", "shop_media"],
      hostPaths: ["/srv/db/dumps"],
    });
  });

  it("is written with a new pin, learnt by an older record, and never forgets an entry", () => {
    const first = plan(desiredOf([db().build()]), aSwarm().withNode("a").build(), OPTIONS);
    expect(first.actions[0]).toMatchObject({
      kind: "pin",
      storage: { volumes: ["alacran--data"], hostPaths: ["/srv/db/dumps"] },
    });
    const deployed = applyWholePlan(aSwarm().withNode("a").build(), first);
    expect(plan(desiredOf([db().build()]), deployed, OPTIONS).actions).toEqual([]);

    // The app now mounts another volume: both are recorded, the old one is left behind.
    const changed = anApp("db").persistent().withVolume("data2", "/data").build();
    const second = plan(desiredOf([changed]), deployed, OPTIONS);
    expect(second.actions[0]).toEqual({
      kind: "record-storage",
      app: "db",
      configId: deployed.pins[0]!.configId,
      version: 1,
      storage: { volumes: ["alacran--data", "alacran--data2"], hostPaths: ["/srv/db/dumps"] },
      added: { volumes: ["alacran--data2"], hostPaths: [] },
      reason: "storage recorded",
    });
    const after = applyWholePlan(deployed, second);
    expect(plan(desiredOf([changed]), after, OPTIONS).actions).toEqual([]);
  });

  it("a record from before storage was recorded learns the app's storage once", () => {
    const app = db().build();
    const legacy = { app: "db", configId: "cfg-db", version: 4, ...onA };
    expect(recordStorage(app, legacy)).toMatchObject({
      kind: "record-storage",
      version: 4,
      added: storageOf(app),
    });
    expect(recordStorage(app, { ...legacy, storage: storageOf(app) })).toBeUndefined();
  });
});

describe("inventory", () => {
  const deployed = () => serviceFor(db().build(), onA);

  it("lists a running app's volume and host path as in use, with the engine's size, and no delete command", () => {
    const observed = aSwarm().withNode("a").withPinOf(db().build(), "id-a").withService(deployed()).build();
    observed.volumes.push({ name: "alacran--data", labels: {} });
    const inv = inventory({
      observed,
      engineNodeId: "id-a",
      volumeSizes: new Map([["alacran--data", 1234]]),
    });
    expect(inv).toEqual({
      entries: [
        {
          app: "db",
          nodeId: "id-a",
          hostname: "a",
          kind: "volume",
          name: "alacran--data",
          appExists: true,
          inUse: true,
          nodeState: "ready",
          sizeBytes: 1234,
        },
        {
          app: "db",
          nodeId: "id-a",
          hostname: "a",
          kind: "host-path",
          name: "/srv/db/dumps",
          appExists: true,
          inUse: true,
          nodeState: "ready",
        },
      ],
      releases: [],
    });
  });

  it("lists a removed app's data as left behind, with the commands that delete it and release its pin", () => {
    const observed = aSwarm().withNode("a").withPinOf(db().build(), "id-a").build();
    observed.volumes.push({ name: "alacran--data", labels: {} });
    const inv = inventory({ observed, engineNodeId: "id-a" });
    expect(inv.entries.map((e) => [e.name, e.appExists, e.inUse, e.deleteCommands])).toEqual([
      ["alacran--data", false, false, [{ on: "node", node: "a", command: "docker volume rm alacran--data" }]],
      [
        "/srv/db/dumps",
        false,
        false,
        [
          { on: "node", node: "a", command: "rm -rf -- /srv/db/dumps" },
          { on: "manager", command: "docker config rm alacrity-pin--db" },
        ],
      ],
    ]);
  });

  it("drops a volume its engine no longer has, and offers the pin's release once nothing is left", () => {
    const app = anApp("db").persistent().withVolume("data", "/data").build();
    const observed = aSwarm().withNode("a").withPinOf(app, "id-a").build();
    // Positive control: while the engine has the volume, it is listed.
    observed.volumes.push({ name: "alacran--data", labels: {} });
    expect(inventory({ observed, engineNodeId: "id-a" }).entries).toHaveLength(1);
    observed.volumes = [];
    expect(inventory({ observed, engineNodeId: "id-a" })).toEqual({
      entries: [],
      releases: [
        {
          app: "db",
          hostname: "a",
          command: { on: "manager", command: "docker config rm alacrity-pin--db" },
        },
      ],
    });
    // On a node whose engine AlaCrity cannot see, the record is all it knows: still listed.
    expect(inventory({ observed, engineNodeId: "id-other" }).entries).toHaveLength(1);
  });

  it("says when the node left the Swarm, finds an old record's volumes by their labels, and quotes odd paths", () => {
    const app = anApp("old").persistent().withHostPath("/srv/it's here", "/x").build();
    const observed = aSwarm()
      .withNode("a")
      .withPin("old", "id-a", "a", null)
      .withPinOf(app, "id-gone", "gone")
      .build();
    observed.pins[1]!.app = "old2";
    observed.volumes.push({ name: "alacran--olddata", labels: { [LABEL.app]: "old" } });
    const inv = inventory({ observed, engineNodeId: "id-a" });
    expect(inv.entries.map((e) => [e.app, e.name, e.nodeState, e.deleteCommands?.[0]?.command])).toEqual([
      ["old", "alacran--olddata", "ready", "docker volume rm alacran--olddata"],
      ["old2", "/srv/it's here", undefined, "rm -rf -- '/srv/it'\\''s here'"],
    ]);
  });

  it("marks a volume the running app no longer mounts as left behind", () => {
    const now = anApp("db").persistent().withVolume("data2", "/data").build();
    const observed = aSwarm()
      .withNode("a")
      .withPin("db", "id-a", "a", { volumes: ["alacran--data", "alacran--data2"], hostPaths: [] })
      .withService(serviceFor(now, onA))
      .build();
    const inv = inventory({ observed });
    expect(inv.entries.map((e) => [e.name, e.inUse, e.deleteCommands?.length ?? 0])).toEqual([
      ["alacran--data", false, 1],
      ["alacran--data2", true, 0],
    ]);
  });

  it("keeps listing what an explicit move left on the old node, until its record is deleted", () => {
    const app = db().build();
    const observed = aSwarm()
      .withNode("a")
      .withNode("b")
      .withPinOf(app, "id-a")
      .withService(deployed())
      .build();
    const moving = { ...app, node: "b", annotations: { "alacrity.dev/allow-move": "true" } };
    const moved = plan(desiredOf([moving]), observed, OPTIONS);
    expect(moved.actions[0]).toMatchObject({
      kind: "pin",
      nodeId: "id-b",
      replaces: "cfg-db",
      leaves: { nodeId: "id-a", hostname: "a", storage: storageOf(app) },
    });
    const after = applyWholePlan(observed, moved);
    const inv = inventory({ observed: after });
    expect(inv.entries.map((e) => [e.hostname, e.name, e.inUse])).toEqual([
      ["a", "alacran--data", false],
      ["a", "/srv/db/dumps", false],
      ["b", "alacran--data", true],
      ["b", "/srv/db/dumps", true],
    ]);
    expect(inv.entries[1]?.deleteCommands?.at(-1)).toEqual({
      on: "manager",
      command: "docker config rm alacrity-left--db--id-a",
    });
    // Moved back to a, the pin covers what is there: listed once, in use.
    const back = {
      ...after,
      leftBehind: after.leftBehind,
      pins: [{ ...after.pins[0]!, nodeId: "id-a", hostname: "a" }],
    };
    back.services = back.services.map((s) => ({
      ...s,
      fields: { ...s.fields, labels: { ...s.fields.labels, [LABEL.pinNode]: "id-a" } },
    }));
    expect(inventory({ observed: back }).entries.map((e) => [e.hostname, e.inUse])).toEqual([
      ["a", true],
      ["a", true],
    ]);
  });
});
