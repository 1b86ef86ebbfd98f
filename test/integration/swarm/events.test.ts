import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDocker } from "../../../src/swarm/connect.js";
import { watchEvents, parseEvent } from "../../../src/swarm/events.js";
import type { SwarmEvent } from "../../../src/swarm/events.js";
import { execute } from "../../../src/swarm/execute.js";
import { engine, serviceByName, sleeper, sweep } from "./helpers.js";
import { eventually } from "../../support/poll.js";

const PREFIX = "t-swarm-ev-";

beforeAll(async () => {
  await sweep(PREFIX);
});

afterAll(async () => {
  await sweep(PREFIX);
});

describe("watchEvents", () => {
  it("delivers the create and remove events of a service, and nothing after stop()", async () => {
    const app = `${PREFIX}watched`;
    const seen: SwarmEvent[] = [];
    const errors: Error[] = [];
    const watch = watchEvents(
      engine,
      (event) => seen.push(event),
      (err) => errors.push(err),
    );
    await watch.ready;
    try {
      await execute(engine, { kind: "create", app, fields: sleeper({ replicas: 0 }) });
      const service = await serviceByName(app);
      await execute(engine, { kind: "remove", app, serviceId: service.ID });
      const ours = () => seen.filter((event) => event.type === "service" && event.id === service.ID);
      await eventually(() => ours().some((event) => event.action === "remove"), {
        timeoutMs: 10_000,
        intervalMs: 50,
      });
      expect(ours().map((event) => event.action)).toEqual(["create", "remove"]);
      expect(ours()[0]).toMatchObject({ type: "service", action: "create", name: app, id: service.ID });
    } finally {
      watch.stop();
    }
    const countAtStop = seen.length;
    // The positive control: a watcher still running sees the event the stopped one must not.
    const control: SwarmEvent[] = [];
    const running = watchEvents(
      engine,
      (event) => control.push(event),
      (err) => errors.push(err),
    );
    await running.ready;
    try {
      await execute(engine, {
        kind: "create",
        app: `${PREFIX}after-stop`,
        fields: sleeper({ replicas: 0 }),
      });
      await eventually(
        () => control.some((event) => event.type === "service" && event.name === `${PREFIX}after-stop`),
        {
          timeoutMs: 10_000,
          intervalMs: 50,
        },
      );
      // Both streams come from the same engine: give the stopped one as long again to misbehave.
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      running.stop();
    }
    expect(seen.length).toBe(countAtStop);
    expect(errors).toEqual([]);
  });

  it("calls onError once when Docker cannot be reached", async () => {
    const unreachable = connectDocker({ DOCKER_HOST: "unix:///tmp/t-swarm-ev-no-such.sock" });
    const errors: Error[] = [];
    const watch = watchEvents(
      unreachable,
      () => undefined,
      (err) => errors.push(err),
    );
    await watch.ready;
    watch.stop();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^Docker event stream: cannot reach Docker/);
  });
});

describe("parseEvent", () => {
  it("reads a node event and ignores other types and garbage", () => {
    expect(
      parseEvent(
        '{"Type":"node","Action":"update","Actor":{"ID":"n1","Attributes":{"name":"worker-1","state.new":"down"}},"time":5}',
      ),
    ).toEqual({ type: "node", action: "update", id: "n1", name: "worker-1", time: 5 });
    expect(parseEvent('{"Type":"container","Action":"start","Actor":{"ID":"c"}}')).toBeNull();
    expect(parseEvent("not json")).toBeNull();
  });
});
