import { describe, expect, it } from "vitest";
import { clusterView, needsAttention } from "../../../src/web/clusterView.js";
import { node, observed, row, service, task } from "./fixtures.js";

const base = {
  instance: "default",
  actions: [],
  readiness: { ready: true },
  now: Date.UTC(2026, 11, 3, 18, 0, 0),
};

describe("clusterView", () => {
  it("puts each pinned app under its node and counts the other tasks each node runs", () => {
    const view = clusterView({
      ...base,
      apps: [
        row("db", { persistent: true, node: "node-2", nodeState: "ready/active" }),
        row("web", { desired: 3, running: 3 }),
      ],
      observed: observed({
        nodes: [node("n2", "node-2"), node("n1", "node-1", { role: "manager" })],
        pins: [{ app: "db", nodeId: "n2", hostname: "node-2", configId: "c1" }],
        services: [service("s-db", "db"), service("s-web", "web"), service("s-other", "other", "blue")],
        tasks: [
          task("t1", "s-web", "n1"),
          task("t2", "s-web", "n2"),
          task("t3", "s-web", "n2"),
          task("t4", "s-web", "n2", "failed"),
          task("t5", "s-db", "n2"),
          task("t6", "s-other", "n1"),
        ],
      }),
    });
    expect(
      view.nodes.map((n) => [n.hostname, n.role, n.condition, n.pinned.map((p) => p.name), n.statelessTasks]),
    ).toEqual([
      ["node-1", "manager", "ready/active", [], 1],
      ["node-2", "worker", "ready/active", ["db"], 2],
    ]);
    expect(view.generatedAt).toBe("2026-12-03T18:00:00.000Z");
    expect(view.states).toEqual({ running: 2 });
  });

  it("marks a down or drained node, the app waiting for it, and a node that left the Swarm as gone", () => {
    const view = clusterView({
      ...base,
      apps: [
        row("db", {
          persistent: true,
          node: "node-3",
          nodeState: "down/active",
          state: "waiting",
          running: 0,
        }),
        row("files", { persistent: true, node: "node-9", nodeState: "gone", state: "waiting", running: 0 }),
      ],
      observed: observed({
        nodes: [
          node("n3", "node-3", { state: "down" }),
          node("n4", "node-4", { availability: "drain" }),
          node("n5", "node-5"),
        ],
        pins: [
          { app: "db", nodeId: "n3", hostname: "node-3", configId: "c1" },
          { app: "files", nodeId: "n9", hostname: "node-9", configId: "c2" },
        ],
      }),
    });
    expect(view.nodes.map((n) => [n.hostname, n.condition, n.unusable])).toEqual([
      ["node-3", "down/active", true],
      ["node-4", "ready/drain", true],
      ["node-5", "ready/active", false],
      ["node-9", "gone", true],
    ]);
    expect(view.nodes.filter((n) => n.pinned.length > 0)).toEqual([
      expect.objectContaining({
        hostname: "node-3",
        condition: "down/active",
        unusable: true,
        pinned: [{ name: "db", state: "waiting", waiting: true }],
      }),
      expect.objectContaining({
        id: "n9",
        hostname: "node-9",
        condition: "gone",
        unusable: true,
        pinned: [{ name: "files", state: "waiting", waiting: true }],
      }),
    ]);
  });

  it("lists the data inventory, left-behind storage included, and nothing before the Swarm is read", () => {
    const withData = clusterView({
      ...base,
      apps: [],
      observed: observed({
        nodes: [node("n1", "node-1")],
        pins: [
          {
            app: "gone-db",
            nodeId: "n1",
            hostname: "node-1",
            configId: "c1",
            storage: { volumes: ["alacran--gone-db-data"], hostPaths: [] },
          },
        ],
      }),
    });
    expect(withData.data?.entries).toEqual([
      expect.objectContaining({
        app: "gone-db",
        name: "alacran--gone-db-data",
        appExists: false,
        inUse: false,
      }),
    ]);
    expect(withData.data?.entries[0]?.deleteCommands?.[0]?.command).toContain(
      "docker volume rm alacran--gone-db-data",
    );
    const before = clusterView({ ...base, apps: [row("web")] });
    expect(before.data).toBeUndefined();
    expect(before.nodes).toEqual([]);
  });

  it("flags the apps that need someone: rejected, failing, held, waiting; not the ones running or in maintenance", () => {
    const flagged = (extra: Parameters<typeof row>[1]) => needsAttention(row("a", extra));
    expect(
      ["running", "converging", "maintenance", "stopped", "starting"].map((state) =>
        flagged({ state: state as never }),
      ),
    ).toEqual([false, false, false, false, false]);
    expect(
      [
        "rejected",
        "invalid",
        "failed",
        "waiting",
        "unhealthy",
        "rolled-back",
        "update-paused",
        "held-back",
      ].map((state) => flagged({ state: state as never })),
    ).toEqual(Array(8).fill(true));
    expect(flagged({ state: "running", held: true })).toBe(true);
  });
});
