import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerError, isRetryable } from "../../../src/swarm/errors.js";
import { execute } from "../../../src/swarm/execute.js";
import { observe } from "../../../src/swarm/observe.js";
import { countRequests } from "../../../src/swarm/requestCounter.js";
import { LABEL, pinConfigName } from "../../../src/domain/names.js";
import { docker, engine, serviceByName, sleeper, sweep } from "./helpers.js";

const PREFIX = "t-swarm-ex-";

beforeAll(async () => {
  await sweep(PREFIX);
});

afterAll(async () => {
  await sweep(PREFIX);
});

async function rejection(promise: Promise<unknown>): Promise<DockerError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DockerError);
  return err as DockerError;
}

describe("execute: pin", () => {
  it("creates the labelled pin config with a small JSON record", async () => {
    const app = `${PREFIX}db`;
    await execute(engine, { kind: "pin", app, nodeId: "n1", hostname: "host-1" });
    const [config] = await docker.listConfigs({ filters: { name: [pinConfigName(app)] } });
    expect(config?.Spec?.Labels).toEqual({
      [LABEL.pinRecord]: "true",
      [LABEL.managed]: "true",
      [LABEL.app]: app,
      [LABEL.pinNode]: "n1",
      [LABEL.pinHostname]: "host-1",
    });
    const record = JSON.parse(Buffer.from(config!.Spec!.Data, "base64").toString()) as Record<string, string>;
    expect(record).toMatchObject({ app, nodeId: "n1", hostname: "host-1" });
    expect(Number.isNaN(Date.parse(record.pinnedAt!))).toBe(false);
  });

  it("refuses a second pin for the same app unless it names the pin it replaces", async () => {
    const app = `${PREFIX}moved`;
    await execute(engine, { kind: "pin", app, nodeId: "n1", hostname: "host-1" });
    const again = await rejection(execute(engine, { kind: "pin", app, nodeId: "n2", hostname: "host-2" }));
    expect(again.message).toContain("already pinned");

    const old = (await observe(engine)).pins.find((pin) => pin.app === app);
    await execute(engine, {
      kind: "pin",
      app,
      nodeId: "n2",
      hostname: "host-2",
      replaces: old!.configId,
    });
    const pins = (await observe(engine)).pins.filter((pin) => pin.app === app);
    expect(pins).toEqual([
      {
        app,
        nodeId: "n2",
        hostname: "host-2",
        configId: expect.any(String) as string,
        version: expect.any(Number) as number,
      },
    ]);
    expect(pins[0]!.configId).not.toBe(old!.configId);
  });
});

describe("execute: create, update, scale, remove", () => {
  it("reports a name conflict on create in plain words", async () => {
    const app = `${PREFIX}twice`;
    await execute(engine, { kind: "create", app, fields: sleeper({ replicas: 0 }) });
    const err = await rejection(execute(engine, { kind: "create", app, fields: sleeper({ replicas: 0 }) }));
    expect(err.message).toBe(`cannot create service ${app}: a service with that name already exists`);
    expect(err.statusCode).toBe(409);
  });

  it("rejects an update planned against a stale version as retryable (update out of sequence)", async () => {
    const app = `${PREFIX}stale`;
    await execute(engine, { kind: "create", app, fields: sleeper({ replicas: 0 }) });
    const service = await serviceByName(app);
    const version = service.Version?.Index ?? 0;
    const update = (env: Record<string, string>, at: number) =>
      execute(engine, {
        kind: "update",
        app,
        serviceId: service.ID,
        version: at,
        fields: sleeper({ replicas: 0, env }),
      });
    await update({ FIRST: "1" }, version);
    const err = await rejection(update({ SECOND: "1" }, version));
    expect(err.message).toMatch(/update out of sequence/);
    expect(err.message).not.toMatch(/HTTP code|at .*\.js/);
    expect(isRetryable(err)).toBe(true);
  });

  it("rejects an invalid spec as terminal, with Docker's own message (400 and Swarm's 500 for a bad constraint)", async () => {
    const badImage = await rejection(
      execute(engine, {
        kind: "create",
        app: `${PREFIX}invalid`,
        fields: sleeper({ image: "Bad Image!!" }),
      }),
    );
    expect(badImage.message).toBe(
      `cannot create service ${PREFIX}invalid: rpc error: code = InvalidArgument desc = ContainerSpec: "Bad Image!!" is not a valid repository/tag`,
    );
    expect(badImage.statusCode).toBe(400);
    expect(isRetryable(badImage)).toBe(false);

    const badConstraint = await rejection(
      execute(engine, {
        kind: "create",
        app: `${PREFIX}invalid`,
        fields: sleeper({ constraints: ["garbage"] }),
      }),
    );
    expect(badConstraint.message).toContain("constraint expected one operator");
    expect(badConstraint.statusCode).toBe(500);
    expect(isRetryable(badConstraint)).toBe(false);
  });

  it("scales using the observed spec, changing nothing but the replica count, with a single update call", async () => {
    const app = `${PREFIX}scaled`;
    const fields = sleeper({ replicas: 0, env: { KEEP: "me" }, updateOrder: "start-first" });
    await execute(engine, { kind: "create", app, fields });
    const observed = await observe(engine);
    const service = observed.services.find((s) => s.name === app)!;
    const counter = countRequests(engine);
    try {
      await execute(
        engine,
        {
          kind: "scale",
          app,
          serviceId: service.id,
          version: service.version,
          to: 3,
        },
        observed,
      );
      expect([...counter.counts().entries()]).toEqual([[`POST /services/${service.id}/update`, 1]]);
    } finally {
      counter.restore();
    }
    const after = (await observe(engine)).services.find((s) => s.name === app)!;
    expect(after.fields).toEqual({ ...fields, replicas: 3 });
  });

  it("scales without an observed state by inspecting that one service", async () => {
    const app = `${PREFIX}scaled-inspect`;
    await execute(engine, { kind: "create", app, fields: sleeper({ replicas: 2 }) });
    const service = await serviceByName(app);
    await execute(engine, {
      kind: "scale",
      app,
      serviceId: service.ID,
      version: service.Version?.Index ?? 0,
      to: 1,
    });
    const inspected = (await docker.getService(service.ID).inspect()) as Docker.Service;
    expect(inspected.Spec?.Mode?.Replicated?.Replicas).toBe(1);
  });

  it("removes a service, and removing it again is not an error", async () => {
    const app = `${PREFIX}gone`;
    await execute(engine, { kind: "create", app, fields: sleeper({ replicas: 0 }) });
    const service = await serviceByName(app);
    await execute(engine, { kind: "remove", app, serviceId: service.ID });
    expect((await observe(engine)).services.some((s) => s.name === app)).toBe(false);
    await execute(engine, { kind: "remove", app, serviceId: service.ID });
  });

  it("reports an unknown service on update as terminal (404)", async () => {
    const err = await rejection(
      execute(engine, {
        kind: "update",
        app: `${PREFIX}missing`,
        serviceId: "doesnotexist0000000000000",
        version: 1,
        fields: sleeper(),
      }),
    );
    expect(err.statusCode).toBe(404);
    expect(isRetryable(err)).toBe(false);
    expect(err.message).toMatch(/^cannot update service t-swarm-ex-missing: .*not found/i);
  });
});
