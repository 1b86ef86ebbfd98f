import { describe, expect, it } from "vitest";
import { plan } from "../../../src/reconcile/plan.js";
import { decideMove } from "../../../src/maintenance/moveDecision.js";
import type { MaintenanceRecord, ObservedState } from "../../../src/swarm/types.js";
import { refusal } from "./refusal.js";
import { aSwarm, anApp, desiredOf, OPTIONS } from "../reconcile/builders.js";
import { applyWholePlan } from "../reconcile/memorySwarm.js";

/* Issue 19: what `alacrity move` decides from the Swarm's state, before it stops anything. */

function deployed(): ObservedState {
  const empty = aSwarm().withNode("a").withNode("b").withNode("c").build();
  const apps = [
    anApp("db").persistent().onNode("a").withVolume("data", "/data").build(),
    anApp("web").build(),
  ];
  return applyWholePlan(empty, plan(desiredOf(apps), empty, OPTIONS));
}

const idOf = (observed: ObservedState, hostname: string): string =>
  observed.nodes.find((n) => n.hostname === hostname)!.id;

const moving = (observed: ObservedState, to: string, operation: MaintenanceRecord["operation"] = "move") => ({
  ...observed,
  maintenance: [
    { app: "db", operation, by: "h 1", since: "", replicas: 1, to: idOf(observed, to), configId: "m" },
  ],
});

describe("decideMove", () => {
  it("copies from the pinned node to the one named, by hostname or ID", () => {
    const observed = deployed();
    const byName = decideMove(observed, "db", "b");
    expect(byName).toMatchObject({ kind: "copy", resuming: false, to: { hostname: "b" } });
    expect(byName.kind === "copy" && byName.source.hostname).toBe("a");
    expect(decideMove(observed, "db", idOf(observed, "c"))).toMatchObject({
      kind: "copy",
      to: { hostname: "c" },
    });
  });

  it("resumes a killed move to the same node: copies again while the pin is old, finishes once it is new", () => {
    const observed = moving(deployed(), "b");
    expect(decideMove(observed, "db", "b")).toMatchObject({ kind: "copy", resuming: true });
    const switched = {
      ...observed,
      pins: observed.pins.map((p) =>
        p.app === "db" ? { ...p, nodeId: idOf(observed, "b"), hostname: "b" } : p,
      ),
    };
    expect(decideMove(switched, "db", "b")).toMatchObject({ kind: "finish", to: { hostname: "b" } });
  });

  it("refuses another destination while a move is unfinished, naming the one to finish", () => {
    expect(refusal(() => decideMove(moving(deployed(), "b"), "db", "c"))).toContain(
      "unfinished move to b: run `alacrity move db --to b`",
    );
  });

  it("refuses the node it is on, an unknown or unusable node, and a stateless app", () => {
    const observed = deployed();
    expect(refusal(() => decideMove(observed, "db", "a"))).toContain("already pinned to a");
    expect(refusal(() => decideMove(observed, "db", "z"))).toContain(
      "no node of this Swarm has that hostname or ID",
    );
    const drained = {
      ...observed,
      nodes: observed.nodes.map((n) => (n.hostname === "b" ? { ...n, availability: "drain" } : n)),
    };
    expect(refusal(() => decideMove(drained, "db", "b"))).toContain(
      "it is ready/drain, and a move needs a node",
    );
    const down = {
      ...observed,
      nodes: observed.nodes.map((n) => (n.hostname === "c" ? { ...n, state: "down" } : n)),
    };
    expect(refusal(() => decideMove(down, "db", "c"))).toContain("it is down/active");
    expect(refusal(() => decideMove(observed, "web", "b"))).toContain("web is not a persistent app");
    // A positive control in the same state: the usable node is accepted.
    expect(decideMove(drained, "db", "c").kind).toBe("copy");
  });

  it("refuses while a task of the app runs away from its pin", () => {
    const observed = deployed();
    const service = observed.services.find((s) => s.name === "db")!;
    const stray = {
      ...observed,
      tasks: [
        ...observed.tasks,
        {
          id: "t9",
          serviceId: service.id,
          nodeId: idOf(observed, "c"),
          desiredState: "running",
          state: "running",
        },
      ],
    } as ObservedState;
    expect(refusal(() => decideMove(stray, "db", "b"))).toContain("has a task on node");
  });
});
