import { describe, expect, it } from "vitest";
import { plan } from "../../../src/reconcile/plan.js";
import { summarizeStatus } from "../../../src/reconcile/status.js";
import { aSwarm, anApp, desiredOf, OPTIONS, serviceFor } from "./builders.js";

/*
 * Issue 18: `spec.volumes[].external` mounts an existing Docker volume by its full name. Swarm
 * would create a missing one empty, so the planner refuses an app whose volume is not on the node
 * it is pinned to, where it can see that node (the engine it talks to), and says so otherwise.
 */

const ENGINE = { ...OPTIONS, engineNodeId: "id-manager" };
const db = (name: string, volume: string) =>
  anApp(name).persistent().onNode("manager").withExternalVolume(volume, "/data");
const oneNode = () => aSwarm().withNode("manager");

describe("plan: an external volume", () => {
  it("is mounted by its own name, as a named volume is, and the status shows that name", () => {
    const app = db("shop-db", "shop_db-data").build();
    const observed = oneNode().withVolume("shop_db-data").build();
    const p = plan(desiredOf([app]), observed, ENGINE);
    expect(p.rejections).toEqual([]);
    expect(p.warnings).toEqual([]);
    const create = p.actions.find((a) => a.kind === "create");
    expect(create?.kind === "create" && create.fields.mounts).toEqual([
      { kind: "named", source: "shop_db-data", target: "/data", readOnly: false },
    ]);
    const [row] = summarizeStatus(observed, desiredOf([app]), p, { instance: "default" });
    expect(row?.volumes).toEqual(["shop_db-data"]);
  });

  it("missing on the engine's own node rejects only its app, and makes no pin for it; the others are created", () => {
    const desired = desiredOf([db("shop-db", "shop_db-data").build(), db("other-db", "shop_other").build()]);
    const p = plan(desired, oneNode().withVolume("shop_other").build(), ENGINE);
    expect(p.rejections).toEqual([
      {
        app: "shop-db",
        rule: "external-volume-missing",
        message:
          "spec.volumes[0].external: the Docker volume shop_db-data does not exist on node manager (id-manager), where " +
          "shop-db is pinned, and Swarm would create it there empty. Find the name with `docker volume ls` on manager " +
          "(a stack's volumes are named STACK_VOLUME) and correct spec.volumes[0].external, or create the volume first",
        position: { file: "shop-db.yaml", line: 20, col: 13 },
      },
    ]);
    // Positive control: the app whose volume is there is pinned and created.
    expect(p.actions.map((a) => `${a.kind} ${a.app}`)).toEqual(["pin other-db", "create other-db"]);
  });

  it("is checked on the node a new pin chooses, and a rejected app's choice does not count for the next", () => {
    const swarm = () => aSwarm().withNode("manager").withNode("worker");
    const first = anApp("a-db").persistent().withExternalVolume("gone", "/data").build();
    const second = anApp("b-db").persistent().build();
    const p = plan(desiredOf([first, second]), swarm().build(), ENGINE);
    expect(p.rejections.map((r) => [r.app, r.rule])).toEqual([["a-db", "external-volume-missing"]]);
    // a-db would have taken manager (alphabetically first); b-db gets it, as if a-db were not there.
    expect(p.actions.filter((a) => a.kind === "pin").map((a) => a.kind === "pin" && a.nodeId)).toEqual([
      "id-manager",
    ]);
    // Positive control: with the volume there, a-db takes manager and b-db the other node.
    const both = plan(desiredOf([first, second]), swarm().withVolume("gone").build(), ENGINE);
    expect(both.rejections).toEqual([]);
    expect(both.actions.filter((a) => a.kind === "pin").map((a) => a.kind === "pin" && a.nodeId)).toEqual([
      "id-manager",
      "id-worker",
    ]);
  });

  it("on another node than the engine's, or when the engine's node is unknown, is planned with a warning", () => {
    const app = anApp("shop-db").persistent().onNode("worker").withExternalVolume("shop_db-data", "/data");
    const swarm = aSwarm().withNode("manager").withNode("worker").build();
    for (const options of [ENGINE, OPTIONS]) {
      const p = plan(desiredOf([app.build()]), swarm, options);
      expect(p.rejections).toEqual([]);
      expect(p.actions.map((a) => `${a.kind} ${a.app}`)).toEqual(["pin shop-db", "create shop-db"]);
      expect(p.warnings).toEqual([
        {
          app: "shop-db",
          message:
            "external volume shop_db-data could not be checked: shop-db is pinned to node worker (id-worker), and this " +
            "controller sees only the volumes of the node its Docker engine runs on; if the volume is not on worker, " +
            "Swarm creates it there empty. Check with `docker volume ls` on worker",
        },
      ]);
    }
    // Positive control: pinned to the engine's node, the same missing volume is a rejection.
    const onEngine = plan(
      desiredOf([
        anApp("shop-db").persistent().onNode("manager").withExternalVolume("shop_db-data", "/d").build(),
      ]),
      swarm,
      ENGINE,
    );
    expect(onEngine.rejections.map((r) => r.rule)).toEqual(["external-volume-missing"]);
  });

  it("of a deployed app is checked again on its pin, and a present one plans nothing", () => {
    const app = db("shop-db", "shop_db-data").build();
    const pin = { nodeId: "id-manager", hostname: "manager" };
    const observed = () =>
      oneNode()
        .withPinOf(app, "id-manager")
        .withService(serviceFor(app, pin, ENGINE));
    expect(plan(desiredOf([app]), observed().withVolume("shop_db-data").build(), ENGINE)).toMatchObject({
      actions: [],
      rejections: [],
      warnings: [],
    });
    const gone = plan(desiredOf([app]), observed().build(), ENGINE);
    expect(gone.rejections.map((r) => r.rule)).toEqual(["external-volume-missing"]);
    expect(gone.actions).toEqual([]);
  });
});

describe("plan: two apps never share one storage path (CONTRACT §2.8), external volumes included", () => {
  it("an external volume and a label-based one on the same Docker volume conflict", () => {
    const label = anApp("a-first").persistent().onNode("manager").withVolume("x", "/data").build();
    const external = db("b-second", "alacran--x").build();
    const p = plan(desiredOf([label, external]), oneNode().withVolume("alacran--x").build(), ENGINE);
    expect(p.rejections.map((r) => [r.app, r.rule])).toEqual([["b-second", "storage-conflict"]]);
    expect(p.rejections[0]?.message).toMatch(/^external volume alacran--x is also declared by app a-first/);
    // Positive control: another external name is no conflict.
    const apart = plan(
      desiredOf([label, db("b-second", "alacran--y").build()]),
      oneNode().withVolume("alacran--y").build(),
      ENGINE,
    );
    expect(apart.rejections).toEqual([]);
  });

  it("two apps naming the same external volume conflict; the one deployed with it keeps it", () => {
    const first = db("a-first", "shop_data").build();
    const second = db("b-second", "shop_data").build();
    const pin = { nodeId: "id-manager", hostname: "manager" };
    const observed = oneNode()
      .withVolume("shop_data")
      .withPin("b-second", "id-manager")
      .withService(serviceFor(second, pin, ENGINE))
      .build();
    const p = plan(desiredOf([first, second]), observed, ENGINE);
    expect(p.rejections.map((r) => [r.app, r.rule])).toEqual([["a-first", "storage-conflict"]]);
    expect(p.rejections[0]?.message).toMatch(/external volume shop_data is already used by app b-second/);
    expect(p.rejections[0]?.position).toEqual({ file: "a-first.yaml", line: 20, col: 13 });
  });
});
