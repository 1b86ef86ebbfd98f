import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execute } from "../../../src/swarm/execute.js";
import { observe, relevantTasks } from "../../../src/swarm/observe.js";
import { countRequests } from "../../../src/swarm/requestCounter.js";
import { LABEL, pinConfigName } from "../../../src/domain/names.js";
import type { ObservedTask } from "../../../src/swarm/types.js";
import { docker, engine, sleeper, sweep } from "./helpers.js";
import { eventually } from "../../support/poll.js";

const PREFIX = "t-swarm-obs-";

beforeAll(async () => {
  await sweep(PREFIX);
});

afterAll(async () => {
  await sweep(PREFIX);
});

describe("observe", () => {
  it("reads the whole state with only the seven list calls, whatever the number of services", async () => {
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        execute(engine, {
          kind: "create",
          app: `${PREFIX}many-${i}`,
          fields: sleeper({ replicas: 0 }),
        }),
      ),
    );
    const counter = countRequests(engine);
    try {
      const observed = await observe(engine);
      expect(observed.services.filter((service) => service.name.startsWith(`${PREFIX}many-`))).toHaveLength(
        6,
      );
      const counted = [...counter.counts().keys()].sort();
      // Seven since issue 16: networks and secrets joined, and one config list serves both the
      // pin records and the configs apps mount.
      expect(counted).toEqual([
        "GET /configs",
        "GET /networks",
        "GET /nodes",
        "GET /secrets",
        "GET /services",
        "GET /tasks",
        "GET /volumes",
      ]);
      expect(counter.total()).toBe(7);
    } finally {
      counter.restore();
    }
  });

  it("reports this node, ready and active, as the manager", async () => {
    const observed = await observe(engine);
    const info = (await docker.info()) as { Swarm: { NodeID: string } };
    const self = observed.nodes.find((node) => node.id === info.Swarm.NodeID);
    expect(self).toMatchObject({ state: "ready", availability: "active", role: "manager" });
    expect(self?.hostname).not.toBe("");
  });

  it("reads pin records from their labelled configs, and ignores configs named for another app", async () => {
    const app = `${PREFIX}pinned`;
    await execute(engine, {
      kind: "pin",
      app,
      nodeId: "node-abc",
      hostname: "worker-9",
    });
    await docker.createConfig({
      Name: `alacrity-pin--${PREFIX}forged`,
      Labels: { [LABEL.pinRecord]: "true", [LABEL.app]: `${PREFIX}other`, [LABEL.pinNode]: "node-x" },
      Data: Buffer.from("{}").toString("base64"),
    });
    const observed = await observe(engine);
    const pins = observed.pins.filter((pin) => pin.app.startsWith(PREFIX));
    expect(pins).toEqual([
      {
        app,
        nodeId: "node-abc",
        hostname: "worker-9",
        configId: expect.any(String) as string,
        version: expect.any(Number) as number,
      },
    ]);
    const config = await docker.getConfig(pins[0]!.configId).inspect();
    expect(config.Spec?.Name).toBe(pinConfigName(app));
  });

  it("keeps running tasks with their node, and the error text of a rejected one", async () => {
    const running = `${PREFIX}running`;
    const broken = `${PREFIX}broken`;
    await execute(engine, { kind: "create", app: running, fields: sleeper() });
    await execute(engine, {
      kind: "create",
      app: broken,
      fields: sleeper({
        mounts: [{ kind: "host", source: "/nonexistent/t-swarm-obs", target: "/x", readOnly: false }],
      }),
    });
    let tasks: ObservedTask[] = [];
    let ids = new Map<string, string>();
    await eventually(
      async () => {
        const observed = await observe(engine);
        ids = new Map(observed.services.map((service) => [service.name, service.id]));
        tasks = observed.tasks;
        return (
          tasks.some((task) => task.serviceId === ids.get(running) && task.state === "running") &&
          tasks.some((task) => task.serviceId === ids.get(broken) && task.error !== undefined)
        );
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    const runningTask = tasks.find((task) => task.serviceId === ids.get(running) && task.state === "running");
    expect(runningTask).toMatchObject({
      desiredState: "running",
      slot: 1,
      nodeId: expect.any(String) as string,
    });
    const failed = tasks.find((task) => task.serviceId === ids.get(broken) && task.error !== undefined);
    expect(failed?.error).toContain("bind source path does not exist");
  });
});

describe("relevantTasks", () => {
  const task = (
    id: string,
    slot: number,
    state: string,
    desiredState: string,
    timestamp: string,
    error?: string,
  ): ObservedTask => ({
    id,
    serviceId: "svc",
    slot,
    state,
    desiredState,
    message: "",
    timestamp,
    ...(error ? { error } : {}),
  });

  const keptIds = (history: ObservedTask[]): string[] =>
    relevantTasks(history)
      .map((t) => t.id)
      .sort();

  it("keeps the newest task per slot and the newest failure, drops the older history", () => {
    const history = [
      task("old-failed", 1, "rejected", "shutdown", "2026-01-01T00:00:01.5Z", "older error"),
      task("failed", 1, "rejected", "shutdown", "2026-01-01T00:00:02.25Z", "newest error"),
      task("pending", 1, "pending", "running", "2026-01-01T00:00:02.3Z"),
      task("old-shutdown", 2, "shutdown", "shutdown", "2026-01-01T00:00:00Z"),
      task("running", 2, "running", "running", "2026-01-01T00:00:03Z"),
    ];
    expect(keptIds(history)).toEqual(["failed", "pending", "running"]);
  });

  it("keeps the newest complete task of a service: it may be a health check's failure", () => {
    const history = [
      task("old-complete", 1, "complete", "shutdown", "2026-01-01T00:00:01Z"),
      task("complete", 1, "complete", "shutdown", "2026-01-01T00:00:02Z"),
      task("starting", 1, "starting", "running", "2026-01-01T00:00:03Z"),
      task("old-shutdown", 2, "shutdown", "shutdown", "2026-01-01T00:00:00Z"),
      task("running", 2, "running", "running", "2026-01-01T00:00:03Z"),
    ];
    expect(keptIds(history)).toEqual(["complete", "running", "starting"]);
  });

  it("orders timestamps whose fractions differ in length correctly", () => {
    const history = [
      task("a", 1, "shutdown", "shutdown", "2026-01-01T00:00:02.31Z"),
      task("b", 1, "shutdown", "shutdown", "2026-01-01T00:00:02.3Z"),
    ];
    expect(relevantTasks(history).map((t) => t.id)).toEqual(["a"]);
  });
});
