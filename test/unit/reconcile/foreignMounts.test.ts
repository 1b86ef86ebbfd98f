import { describe, expect, it } from "vitest";
import { plan } from "../../../src/reconcile/plan.js";
import { aSwarm, anApp, desiredOf, OPTIONS, serviceFor, unmanagedService } from "./builders.js";

/*
 * An imported stack applied while the stack still runs: its database's volume is mounted by the
 * stack's service, which AlaCrity does not manage. A second container on that data is refused.
 */

const ENGINE = { ...OPTIONS, engineNodeId: "id-manager" };

const stackService = (name: string, source: string, kind: "named" | "host" = "named") => {
  const service = unmanagedService(name, { "com.docker.stack.namespace": "shop" });
  service.fields.mounts = [{ kind, source, target: "/data", readOnly: false }];
  return service;
};

describe("plan: storage a service AlaCrity does not manage mounts", () => {
  it("refuses the app that would mount the stack's volume too; another app is created", () => {
    const db = anApp("db").persistent().onNode("manager").withExternalVolume("shop_dbdata", "/data").build();
    const cache = anApp("cache").build();
    const observed = aSwarm()
      .withNode("manager")
      .withVolume("shop_dbdata")
      .withService(stackService("shop_db", "shop_dbdata"))
      .build();
    const p = plan(desiredOf([db, cache]), observed, ENGINE);
    expect(p.rejections).toHaveLength(1);
    expect(p.rejections[0]).toMatchObject({ app: "db", rule: "storage-in-use" });
    expect(p.rejections[0]?.message).toContain(
      "volume shop_dbdata is mounted by service shop_db of stack shop, which AlaCrity does not manage",
    );
    expect(p.rejections[0]?.message).toContain("docker service rm shop_db");
    expect(p.rejections[0]?.message).toContain(
      "`docker stack rm shop` would also remove the stack's networks",
    );
    expect(p.actions.some((a) => a.app === "db")).toBe(false);
    expect(p.actions.some((a) => a.kind === "create" && a.app === "cache")).toBe(true);
  });

  it("refuses a host path inside one a hand-made service binds, and not an unrelated one", () => {
    const inside = anApp("inside")
      .persistent()
      .onNode("manager")
      .withHostPath("/srv/shop/db", "/data")
      .build();
    const apart = anApp("apart").persistent().onNode("manager").withHostPath("/srv/other", "/data").build();
    const byHand = unmanagedService("by-hand");
    byHand.fields.mounts = [{ kind: "host", source: "/srv/shop", target: "/x", readOnly: false }];
    const observed = aSwarm().withNode("manager").withService(byHand).build();
    const p = plan(desiredOf([inside, apart]), observed, ENGINE);
    expect(p.rejections.map((r) => [r.app, r.rule])).toEqual([["inside", "storage-in-use"]]);
    expect(p.rejections[0]?.message).toContain("docker service rm by-hand");
    expect(p.actions.some((a) => a.kind === "create" && a.app === "apart")).toBe(true);
  });

  it("does not count the app's own managed service", () => {
    const db = anApp("db").persistent().onNode("manager").withVolume("data", "/data").build();
    const observed = aSwarm()
      .withNode("manager")
      .withPin("db", "id-manager", "manager")
      .withService(serviceFor(db, { nodeId: "id-manager", hostname: "manager" }))
      .build();
    const p = plan(desiredOf([db]), observed, ENGINE);
    expect(p.rejections).toEqual([]);
    // Positive control: the same mount on a service of no one's is refused.
    const foreign = stackService("shop_db", "alacran--data");
    const q = plan(desiredOf([db]), aSwarm().withNode("manager").withService(foreign).build(), ENGINE);
    expect(q.rejections.map((r) => r.rule)).toEqual(["storage-in-use"]);
  });

  it("names the same service whatever order Swarm lists them in", () => {
    const db = anApp("db").persistent().onNode("manager").withExternalVolume("shop_dbdata", "/data").build();
    const services = [stackService("shop_b", "shop_dbdata"), stackService("shop_a", "shop_dbdata")];
    const messages = [services, [...services].reverse()].map((list) => {
      const swarm = aSwarm().withNode("manager").withVolume("shop_dbdata");
      for (const service of list) swarm.withService(service);
      return plan(desiredOf([db]), swarm.build(), ENGINE).rejections[0]?.message;
    });
    expect(messages[0]).toContain("mounted by service shop_a");
    expect(messages[1]).toBe(messages[0]);
  });
});
