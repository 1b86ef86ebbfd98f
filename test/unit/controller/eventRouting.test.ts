import { describe, expect, it } from "vitest";
import { routeEvent } from "../../../src/controller/eventRouting.js";
import { aSwarm, anApp, desiredOf, serviceFor, unmanagedService } from "../reconcile/builders.js";

describe("routeEvent", () => {
  const adopted = anApp("shop-db").with({ serviceName: "shop_db" }).build();
  const plain = anApp("web").build();
  const desired = desiredOf([adopted, plain]);
  const managed = serviceFor(adopted);
  managed.serviceName = "shop_db";
  const observed = aSwarm().withService(managed).withService(serviceFor(plain)).build();

  it("enqueues the app a service event names by its Swarm name", () => {
    expect(
      routeEvent(
        { type: "service", action: "update", id: "x", name: "shop_db" },
        desired,
        observed,
        "default",
      ),
    ).toEqual({
      kind: "enqueue",
      name: "shop-db",
    });
    // A service named for its app, as before.
    expect(
      routeEvent({ type: "service", action: "update", id: "x", name: "web" }, desired, observed, "default"),
    ).toEqual({
      kind: "enqueue",
      name: "web",
    });
  });

  it("finds the app of a service not observed yet by the Swarm name its manifest gives", () => {
    const empty = aSwarm().build();
    expect(
      routeEvent(
        { type: "service", action: "create", id: "new", name: "shop_db" },
        desired,
        empty,
        "default",
      ),
    ).toEqual({
      kind: "enqueue",
      name: "shop-db",
    });
  });

  it("ignores an unmanaged service no app names, and still routes a node event", () => {
    const other = aSwarm().withService(unmanagedService("someone_else")).build();
    expect(
      routeEvent(
        { type: "service", action: "update", id: "svc-someone_else", name: "someone_else" },
        desired,
        other,
        "default",
      ),
    ).toBeUndefined();
    expect(routeEvent({ type: "node", action: "update", id: "n1" }, desired, other, "default")).toEqual({
      kind: "resync",
      reason: "node update",
    });
  });
});
