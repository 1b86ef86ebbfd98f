import { describe, expect, it } from "vitest";
import { plan } from "../../../src/reconcile/plan.js";
import { ANNOTATION } from "../../../src/reconcile/types.js";
import { LABEL } from "../../../src/domain/names.js";
import { aSwarm, anApp, desiredOf, OPTIONS, serviceFor } from "./builders.js";

const db = (name = "db") => anApp(name).persistent();

describe("plan: choosing a node for a persistent app", () => {
  it.each([
    {
      name: "the node with the fewest pins",
      swarm: () => aSwarm().withNode("a").withNode("b").withPin("other", "id-a"),
      node: "id-b",
    },
    {
      name: "ties broken by hostname",
      swarm: () => aSwarm().withNode("zeta", { id: "id-1" }).withNode("alpha", { id: "id-2" }),
      node: "id-2",
    },
    {
      name: "equal hostnames broken by ID",
      swarm: () => aSwarm().withNode("same", { id: "id-9" }).withNode("same", { id: "id-3" }),
      node: "id-3",
    },
    {
      name: "a down node is never chosen",
      swarm: () => aSwarm().withNode("a", { state: "down" }).withNode("b").withPin("x", "id-b"),
      node: "id-b",
    },
    {
      name: "a drained node is never chosen",
      swarm: () => aSwarm().withNode("a", { availability: "drain" }).withNode("b").withPin("x", "id-b"),
      node: "id-b",
    },
    {
      name: "a paused node is never chosen",
      swarm: () => aSwarm().withNode("a", { availability: "pause" }).withNode("b").withPin("x", "id-b"),
      node: "id-b",
    },
    {
      name: "pins of removed apps still count (their data is there)",
      swarm: () => aSwarm().withNode("a").withNode("b").withPin("gone-app", "id-a"),
      node: "id-b",
    },
  ])("$name", ({ swarm, node }) => {
    const p = plan(desiredOf([db().build()]), swarm().build(), OPTIONS);
    expect(p.rejections).toEqual([]);
    expect(p.actions[0]).toMatchObject({ kind: "pin", app: "db", nodeId: node, reason: "pin requested" });
    expect(p.actions[0]).not.toHaveProperty("replaces");
    expect(p.actions[1]).toMatchObject({
      kind: "create",
      app: "db",
      node: { nodeId: node, why: "fewest pinned apps" },
    });
    const create = p.actions[1];
    expect(create?.kind === "create" && create.fields.constraints).toEqual([`node.id==${node}`]);
  });

  it.each([
    { name: "spec.node", app: () => db().onNode("b"), pins: [], node: "id-b", why: "spec.node" },
    { name: "a kept pin", app: () => db(), pins: [["db", "id-a"]], node: "id-a", why: "existing pin" },
    {
      name: "an allowed move to spec.node",
      app: () => db().onNode("b").annotate(ANNOTATION.allowMove, "true"),
      pins: [["db", "id-a"]],
      node: "id-b",
      why: "spec.node",
    },
  ])("a create names its node and why: $name", ({ app, pins, node, why }) => {
    const swarm = aSwarm().withNode("a").withNode("b");
    for (const [name, id] of pins) swarm.withPin(name!, id!);
    const p = plan(desiredOf([app().build()]), swarm.build(), OPTIONS);
    expect(p.rejections).toEqual([]);
    const create = p.actions.find((a) => a.kind === "create");
    expect(create).toMatchObject({ node: { nodeId: node, hostname: node.slice(3), why } });
  });

  it("counts the pins planned earlier in the same plan, in app name order", () => {
    const p = plan(
      desiredOf([db("c").build(), db("a").build(), db("b").build()]),
      aSwarm().withNode("n1").withNode("n2").build(),
      OPTIONS,
    );
    const pins = p.actions.filter((a) => a.kind === "pin");
    expect(pins.map((a) => [a.app, a.kind === "pin" && a.hostname])).toEqual([
      ["a", "n1"],
      ["b", "n2"],
      ["c", "n1"],
    ]);
    // all pins come first, then the creates
    expect(p.actions.map((a) => a.kind)).toEqual(["pin", "pin", "pin", "create", "create", "create"]);
  });

  it("rejects the app when no node is ready and active", () => {
    const p = plan(
      desiredOf([db().build(), anApp("web").build()]),
      aSwarm().withNode("a", { state: "down" }).withNode("b", { availability: "drain" }).build(),
      OPTIONS,
    );
    expect(p.rejections).toMatchObject([{ app: "db", rule: "no-eligible-node" }]);
    expect(p.actions).toMatchObject([{ kind: "create", app: "web" }]);
  });

  it.each([
    ["hostname", "b"],
    ["node ID", "id-b"],
  ])("pins to spec.node given by %s, even when another node has fewer pins", (_, ref) => {
    const p = plan(
      desiredOf([db().onNode(ref).build()]),
      aSwarm().withNode("a").withNode("b").withPin("x", "id-b").build(),
      OPTIONS,
    );
    expect(p.actions[0]).toMatchObject({
      kind: "pin",
      nodeId: "id-b",
      hostname: "b",
      reason: "pin requested",
    });
  });

  it("rejects an unknown spec.node and names the nodes that exist", () => {
    const app = db().onNode("nowhere").build();
    const p = plan(desiredOf([app]), aSwarm().withNode("a").withNode("b").build(), OPTIONS);
    expect(p.actions).toEqual([]);
    expect(p.rejections).toHaveLength(1);
    expect(p.rejections[0]).toMatchObject({
      app: "db",
      rule: "unknown-node",
      position: app.positions["spec.node"],
    });
    expect(p.rejections[0]?.message).toContain("nowhere");
    expect(p.rejections[0]?.message).toContain("a (id-a)");
    expect(p.rejections[0]?.message).toContain("b (id-b)");
  });

  it("a non-persistent app is never pinned", () => {
    const p = plan(desiredOf([anApp("web").build()]), aSwarm().withNode("a").build(), OPTIONS);
    expect(p.actions.map((a) => a.kind)).toEqual(["create"]);
  });
});

describe("plan: an existing pin", () => {
  const pinned = () => aSwarm().withNode("a").withNode("b").withPin("db", "id-a");

  it("is kept: no pin action, the constraint names the pinned node, even if another node is emptier", () => {
    const p = plan(desiredOf([db().build()]), pinned().withPin("x", "id-a").build(), OPTIONS);
    expect(p.actions).toHaveLength(1);
    const create = p.actions[0];
    expect(create?.kind === "create" && create.fields.constraints).toEqual(["node.id==id-a"]);
  });

  it.each([["a"], ["id-a"]])("spec.node naming the pinned node (%s) changes nothing", (ref) => {
    const app = db().onNode(ref).build();
    const p = plan(
      desiredOf([app]),
      pinned()
        .withService(serviceFor(app, { nodeId: "id-a", hostname: "a" }))
        .build(),
      OPTIONS,
    );
    expect(p).toMatchObject({ actions: [], rejections: [] });
  });

  it("refuses a move to another spec.node and says how to move deliberately", () => {
    const app = db().onNode("b").build();
    const p = plan(
      desiredOf([app]),
      pinned()
        .withService(serviceFor(app, { nodeId: "id-a", hostname: "a" }))
        .build(),
      OPTIONS,
    );
    expect(p.actions).toEqual([]);
    expect(p.rejections).toMatchObject([
      { app: "db", rule: "pin-move-refused", position: app.positions["spec.node"] },
    ]);
    const msg = p.rejections[0]!.message;
    expect(msg).toContain("pinned to a (id-a)");
    expect(msg).toContain("spec.node asks for b");
    expect(msg).toContain("loses its data");
    expect(msg).toContain(`${ANNOTATION.allowMove}: "true"`);
  });

  it("moves when the allow-move annotation is set: pin replaces the old record, update follows, data warning", () => {
    const old = db().build();
    const app = db().onNode("b").annotate(ANNOTATION.allowMove, "true").build();
    const p = plan(
      desiredOf([app]),
      pinned()
        .withService(serviceFor(old, { nodeId: "id-a", hostname: "a" }))
        .build(),
      OPTIONS,
    );
    expect(p.rejections).toEqual([]);
    expect(p.actions).toMatchObject([
      { kind: "pin", app: "db", nodeId: "id-b", hostname: "b", replaces: "cfg-db", reason: "explicit move" },
      { kind: "update", app: "db", reason: "explicit move" },
    ]);
    const update = p.actions[1];
    expect(update?.kind === "update" && update.fields.constraints).toEqual(["node.id==id-b"]);
    expect(p.warnings).toHaveLength(1);
    expect(p.warnings[0]).toMatchObject({ app: "db" });
    expect(p.warnings[0]?.message).toContain("data does not move");
  });

  it("a pinned node that left the Swarm: no action, no re-pin, a warning that says how to move", () => {
    const app = db().build();
    const observed = aSwarm()
      .withNode("b")
      .withPin("db", "id-gone", "worker-2")
      .withService(
        serviceFor(app, { nodeId: "id-gone", hostname: "worker-2" }, OPTIONS, (f) => (f.image = "x")),
      )
      .build();
    const p = plan(desiredOf([app]), observed, OPTIONS);
    expect(p.actions).toEqual([]);
    expect(p.rejections).toEqual([]);
    expect(p.warnings).toHaveLength(1);
    expect(p.warnings[0]?.message).toBe(
      `pinned node worker-2 (id-gone) is no longer in the Swarm; to move the app: set spec.node to a new node and annotation alacrity.dev/allow-move: "true" (its data stays on the old node)`,
    );
  });

  it.each([
    ["down", { state: "down" }, "is down"],
    ["drained", { availability: "drain" }, "is drained"],
  ])("a pinned node that is %s keeps the app pinned there (no action) and warns", (_, node, words) => {
    const app = db().build();
    const observed = aSwarm()
      .withNode("worker-2", node)
      .withNode("b")
      .withPin("db", "id-worker-2")
      .withService(serviceFor(app, { nodeId: "id-worker-2", hostname: "worker-2" }))
      .build();
    const p = plan(desiredOf([app]), observed, OPTIONS);
    expect(p.actions).toEqual([]);
    expect(p.warnings.map((w) => w.message)).toEqual([
      `pinned node worker-2 ${words}: a persistent app waits for its node`,
    ]);
  });

  it("a pin record deleted by hand is restored from the service's labels, never re-chosen", () => {
    const app = db().build();
    const observed = aSwarm()
      .withNode("a")
      .withNode("b")
      .withPin("x", "id-b")
      .withService(serviceFor(app, { nodeId: "id-b", hostname: "b" }))
      .build();
    const p = plan(desiredOf([app]), observed, OPTIONS);
    expect(p.actions).toEqual([
      {
        kind: "pin",
        app: "db",
        nodeId: "id-b",
        hostname: "b",
        storage: { volumes: [], hostPaths: [] },
        reason: "pin restored",
      },
    ]);
  });
});

describe("plan: dropping persistence", () => {
  const wasPersistent = () =>
    aSwarm()
      .withNode("a")
      .withPin("db", "id-a")
      .withService(serviceFor(db().build(), { nodeId: "id-a", hostname: "a" }));

  it("is refused without the annotation, and the message says how", () => {
    const p = plan(desiredOf([anApp("db").build()]), wasPersistent().build(), OPTIONS);
    expect(p.actions).toEqual([]);
    expect(p.rejections).toMatchObject([{ app: "db", rule: "persistence-drop-refused" }]);
    expect(p.rejections[0]?.message).toContain(`${ANNOTATION.allowDropPersistence}: "true"`);
  });

  it("is done with the annotation: unpinned, start-first; the pin record stays", () => {
    const app = anApp("db").annotate(ANNOTATION.allowDropPersistence, "true").build();
    const p = plan(desiredOf([app]), wasPersistent().build(), OPTIONS);
    expect(p.rejections).toEqual([]);
    expect(p.actions).toMatchObject([{ kind: "update", app: "db", reason: "manifest changed" }]);
    const u = p.actions[0];
    expect(u?.kind === "update" && u.fields).toMatchObject({
      constraints: [],
      updateOrder: "start-first",
      labels: { [LABEL.persistent]: "false" },
    });
  });
});
