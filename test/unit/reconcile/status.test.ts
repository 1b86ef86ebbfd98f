import { describe, expect, it } from "vitest";
import { plan } from "../../../src/reconcile/plan.js";
import { summarizeStatus } from "../../../src/reconcile/status.js";
import {
  aSwarm,
  anApp,
  desiredOf,
  invalidApp,
  OPTIONS,
  orphanService,
  serviceFor,
  unmanagedService,
} from "./builders.js";

const onW2 = { nodeId: "id-worker-2", hostname: "worker-2" };
const db = () => anApp("db").persistent().withVolume("data", "/data").withHostPath("/srv/up", "/up");
/** The Swarm with db pinned to worker-2 and its service there. */
const dbOnWorker2 = () =>
  aSwarm()
    .withNode("worker-2")
    .withPinOf(db().build(), "id-worker-2")
    .withService(serviceFor(db().build(), onW2));
/** A rejected task of db: its host directory is missing on the node. */
const BIND_MISSING = {
  serviceId: "svc-db",
  state: "rejected",
  desiredState: "shutdown",
  message: "invalid mount config",
  error: 'invalid mount config for type "bind": bind source path does not exist: /srv/up',
};

describe("summarizeStatus", () => {
  it("a running persistent app: pinned node, its state, volumes", () => {
    const observed = aSwarm()
      .withNode("worker-2")
      .withPinOf(db().build(), "id-worker-2")
      .withService(serviceFor(db().build(), onW2))
      .withTask({ serviceId: "svc-db", nodeId: "id-worker-2" })
      .build();
    const desired = desiredOf([db().build()]);
    expect(summarizeStatus(observed, desired, plan(desired, observed, OPTIONS))).toEqual([
      {
        name: "db",
        persistent: true,
        desired: 1,
        running: 1,
        node: "worker-2",
        nodeState: "ready/active",
        volumes: ["alacran--data", "/srv/up"],
        networks: ["alacran--default"],
        state: "running",
        reason: "",
      },
    ]);
  });

  it("a pinned app whose node is down waits, and says why", () => {
    const observed = aSwarm()
      .withNode("worker-2", { state: "down" })
      .withPinOf(db().build(), "id-worker-2")
      .withService(serviceFor(db().build(), onW2))
      .withTask({
        serviceId: "svc-db",
        state: "pending",
        message: "no suitable node (scheduling constraints not satisfied on 1 node)",
      })
      .build();
    const [row] = summarizeStatus(observed, desiredOf([db().build()]));
    expect(row).toMatchObject({
      state: "waiting",
      nodeState: "down/active",
      reason: "pinned node worker-2 is down: a persistent app waits for its node",
    });
  });

  it("a pinned node that left the Swarm: waiting, with how to move it", () => {
    const observed = aSwarm()
      .withNode("other")
      .withPinOf(db().build(), "id-worker-2")
      .withService(serviceFor(db().build(), onW2))
      .build();
    const [row] = summarizeStatus(observed, desiredOf([db().build()]));
    expect(row).toMatchObject({ node: "worker-2", nodeState: "gone", state: "waiting" });
    expect(row?.reason).toBe(
      `pinned node worker-2 (id-worker-2) is no longer in the Swarm; to move the app: set spec.node to a new node and annotation alacrity.dev/allow-move: "true" (its data stays on the old node)`,
    );
  });

  it("a task failing on a missing bind source says so in plain words", () => {
    const observed = dbOnWorker2()
      .withTask({ ...BIND_MISSING })
      .build();
    const [row] = summarizeStatus(observed, desiredOf([db().build()]));
    expect(row?.state).toBe("failed");
    expect(row?.reason).toContain("host directory /srv/up does not exist on the node; create it there");
    expect(row?.running).toBe(0);
  });

  it("tells the newest failure by time, also within one second (Swarm trims a timestamp's zeros)", () => {
    // 05.1 is older than 05.12; compared as text, "05.1Z" sorts after "05.12Z".
    const observed = dbOnWorker2()
      .withTask({ ...BIND_MISSING, timestamp: "2024-01-01T00:00:05.1Z" })
      .withTask({
        serviceId: "svc-db",
        state: "failed",
        desiredState: "shutdown",
        message: "started",
        error: "task: non-zero exit (1)",
        timestamp: "2024-01-01T00:00:05.12Z",
      })
      .build();
    const [row] = summarizeStatus(observed, desiredOf([db().build()]));
    expect(row?.state).toBe("failed");
    expect(row?.reason).toBe("task failed: task: non-zero exit (1)");
  });

  it("rejected, invalid, to-be-created and held-back apps each get a row that says why", () => {
    const observed = aSwarm()
      .withNode("a")
      .withService(unmanagedService("taken"))
      .withService(orphanService("broken"))
      .build();
    const desired = desiredOf([anApp("taken").build(), anApp("fresh").build()], {
      invalid: [invalidApp("broken", "broken.yaml", "required")],
      failedFiles: new Set(["broken.yaml"]),
    });
    const rows = summarizeStatus(observed, desired, plan(desired, observed, OPTIONS));
    expect(rows.map((r) => [r.name, r.state])).toEqual([
      ["broken", "invalid"],
      ["fresh", "converging"],
      ["taken", "rejected"],
    ]);
    expect(rows[0]?.reason).toBe(
      "broken.yaml:5:3: spec.image: required; the running service is kept as it is",
    );
    expect(rows[1]?.reason).toBe("to be created (new app)");
    expect(rows[2]?.reason).toContain("not managed by AlaCrity");
  });

  it("removals and held-back removals", () => {
    const observed = aSwarm().withService(orphanService("a")).withService(orphanService("b")).build();
    const empty = desiredOf([]);
    const held = summarizeStatus(observed, empty, plan(empty, observed, OPTIONS));
    expect(held.map((r) => r.state)).toEqual(["held-back", "held-back"]);
    const allowed = summarizeStatus(observed, empty, plan(empty, observed, { ...OPTIONS, allowEmpty: true }));
    expect(allowed.map((r) => r.state)).toEqual(["removing", "removing"]);
  });

  it("only this instance's services, and replicas still starting are converging", () => {
    const web = anApp("web").replicas(2).build();
    const observed = aSwarm()
      .withService(serviceFor(web))
      .withService(orphanService("theirs", "t.yaml", "other"))
      .withTask({ serviceId: "svc-web" })
      .withTask({ serviceId: "svc-web", state: "starting" })
      .build();
    const rows = summarizeStatus(observed);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      name: "web",
      persistent: false,
      desired: 2,
      running: 1,
      state: "converging",
      volumes: [],
    });
    expect(rows[0]).not.toHaveProperty("node");
    expect(summarizeStatus(observed, undefined, undefined, { instance: "other" }).map((r) => r.name)).toEqual(
      ["theirs"],
    );
  });
});
