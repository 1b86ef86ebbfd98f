import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execute } from "../../../src/swarm/execute.js";
import { countRequests } from "../../../src/swarm/requestCounter.js";
import { waitForTasks } from "../../../src/swarm/waitForTasks.js";
import { LABEL } from "../../../src/domain/names.js";
import { docker, engine, sleeper, sweep, TEST_LABEL, TEST_LABEL_VALUE } from "./helpers.js";

const PREFIX = "t-swarm-wait-";

beforeAll(async () => {
  await sweep(PREFIX);
});

afterAll(async () => {
  await sweep(PREFIX);
});

/** Waits for a pinned app whose node cannot run it: failed with `text` after the grace period. */
async function expectGivenUpAfterGrace(app: string, text: string): Promise<void> {
  const started = Date.now();
  const results = await waitForTasks(engine, [app], 60_000, 250);
  const waitedMs = Date.now() - started;
  expect(results[app]).toEqual({ ok: false, failed: true, running: 0, desired: 1, errors: [{ text }] });
  // The grace period (5 s), not the 60 s timeout.
  expect(waitedMs).toBeGreaterThanOrEqual(4_500);
  expect(waitedMs).toBeLessThan(20_000);
}

describe("waitForTasks", () => {
  it("returns ok once every service runs its desired tasks (replicas 2, and 0)", async () => {
    const two = `${PREFIX}two`;
    const none = `${PREFIX}none`;
    await execute(engine, { kind: "create", app: two, fields: sleeper({ replicas: 2 }) });
    await execute(engine, { kind: "create", app: none, fields: sleeper({ replicas: 0 }) });
    const started = Date.now();
    const results = await waitForTasks(engine, [two, none], 30_000, 200);
    expect(results).toEqual({
      [two]: { ok: true, failed: false, running: 2, desired: 2, errors: [] },
      [none]: { ok: true, failed: false, running: 0, desired: 0, errors: [] },
    });
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it("times out with Swarm's own error text and the node for a missing bind source path", async () => {
    const app = `${PREFIX}missing-path`;
    const missing = "/srv/t-swarm-wait/does-not-exist";
    await execute(engine, {
      kind: "create",
      app,
      fields: sleeper({ mounts: [{ kind: "host", source: missing, target: "/data", readOnly: false }] }),
    });
    const hostname = ((await docker.info()) as { Name: string }).Name;
    const counter = countRequests(engine);
    let results;
    try {
      results = await waitForTasks(engine, [app], 3_000, 250);
    } finally {
      counter.restore();
    }
    const result = results[app]!;
    expect(result).toMatchObject({ ok: false, running: 0, desired: 1 });
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.errors[0]!.text).toContain("bind source path does not exist");
    expect(result.errors[0]!.text).toContain(missing);
    expect(result.errors[0]!.node).toBe(hostname);
    // Bounded: a service, a task and a node list per poll (3 s / 250 ms); no container is
    // inspected, as no task has a health check.
    const counts = counter.counts();
    expect(counts.get("GET /tasks")).toBeLessThanOrEqual(14);
    expect(counts.get("GET /services")).toBe(counts.get("GET /tasks"));
    expect(counts.get("GET /nodes")).toBe(counts.get("GET /tasks"));
    expect(counter.total()).toBe(3 * (counts.get("GET /tasks") ?? 0));
  });

  it("gives up on an app after repeated failed tasks instead of sitting out the timeout", async () => {
    const app = `${PREFIX}wait-giveup`;
    const missing = `/tmp/alacrity-missing-giveup-${process.pid}`;
    await execute(engine, {
      kind: "create",
      app,
      fields: sleeper({ mounts: [{ kind: "host", source: missing, target: "/data", readOnly: false }] }),
    });
    const started = Date.now();
    const results = await waitForTasks(engine, [app], 90_000, 250);
    expect(results[app]).toMatchObject({ ok: false, failed: true, running: 0 });
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("gives up on an app pinned to a node that stays unusable, with the reason, and waits again once it is back", async () => {
    const app = `${PREFIX}pinned-paused`;
    const info = (await docker.info()) as { Name: string; Swarm: { NodeID: string } };
    const node = docker.getNode(info.Swarm.NodeID);
    const setAvailability = async (availability: "active" | "pause"): Promise<void> => {
      const current = (await node.inspect()) as { Version: { Index: number }; Spec: Record<string, unknown> };
      await node.update({ version: current.Version.Index, ...current.Spec, Availability: availability });
    };
    // Paused: running tasks stay, no new task is placed (this single node is the whole Swarm).
    await setAvailability("pause");
    try {
      await execute(engine, {
        kind: "create",
        app,
        fields: sleeper({ constraints: [`node.id==${info.Swarm.NodeID}`] }),
      });
      await expectGivenUpAfterGrace(
        app,
        `pinned node ${info.Name} is paused: a persistent app waits for its node`,
      );
    } finally {
      await setAvailability("active");
    }
    // Back in service within the grace period: the app is waited for, and runs.
    const again = await waitForTasks(engine, [app], 60_000, 250);
    expect(again[app]).toMatchObject({ ok: true, failed: false, running: 1, desired: 1 });
  });

  it("gives up on an app pinned to a node that is no longer in the Swarm, saying how to move it", async () => {
    const app = `${PREFIX}pinned-gone`;
    // The ID of a node removed with `docker node rm`: Swarm accepts the constraint, places nothing.
    const goneId = "gone0node0id0000000000000";
    await execute(engine, {
      kind: "create",
      app,
      fields: sleeper({
        constraints: [`node.id==${goneId}`],
        labels: {
          [TEST_LABEL]: TEST_LABEL_VALUE,
          [LABEL.app]: app,
          [LABEL.pinNode]: goneId,
          [LABEL.pinHostname]: "old-db-host",
        },
      }),
    });
    await expectGivenUpAfterGrace(
      app,
      `pinned node old-db-host (${goneId}) is no longer in the Swarm; to move the app: set spec.node to a ` +
        `new node and annotation alacrity.dev/allow-move: "true" (its data stays on the old node)`,
    );
  });

  it("reports a service that does not exist at once instead of waiting for it", async () => {
    const started = Date.now();
    const results = await waitForTasks(engine, [`${PREFIX}never-created`], 10_000, 100);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(results[`${PREFIX}never-created`]).toEqual({
      ok: false,
      failed: true,
      running: 0,
      desired: 0,
      errors: [{ text: `service ${PREFIX}never-created does not exist` }],
    });
  });
});
