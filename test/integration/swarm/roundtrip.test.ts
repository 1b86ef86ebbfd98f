import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execute } from "../../../src/swarm/execute.js";
import { observe } from "../../../src/swarm/observe.js";
import { fieldsFromSpec } from "../../../src/swarm/serviceFields.js";
import { specFromFields } from "../../../src/swarm/serviceSpec.js";
import { LABEL } from "../../../src/domain/names.js";
import type { ServiceFields } from "../../../src/swarm/types.js";
import { docker, engine, serviceByName, sleeper, sweep } from "./helpers.js";
import { eventually } from "../../support/poll.js";

const PREFIX = "t-swarm-rt-";
let hostDir: string;

beforeAll(async () => {
  await sweep(PREFIX);
  hostDir = mkdtempSync(join(tmpdir(), "t-swarm-rt-"));
});

afterAll(async () => {
  await sweep(PREFIX);
  rmSync(hostDir, { recursive: true, force: true });
});

async function inspectFields(name: string): Promise<ServiceFields> {
  const service = (await docker.getService((await serviceByName(name)).ID).inspect()) as Docker.Service;
  return fieldsFromSpec(service.Spec);
}

describe("fieldsFromSpec(inspect(create(specFromFields(f)))) equals f on a real Swarm", () => {
  const shapes: Record<string, () => ServiceFields> = {
    "persistent: named volume, host path, constraint, one per node, stop-first": () =>
      sleeper({
        env: { PGDATA: "/data/pg" },
        mounts: [
          { kind: "named", source: `${PREFIX}vol-data`, target: "/data", readOnly: false },
          { kind: "host", source: hostDir, target: "/uploads", readOnly: true },
        ],
        constraints: ["node.role==manager"],
        labels: {
          "alacrity.test": "swarm",
          [LABEL.managed]: "true",
          [LABEL.app]: `${PREFIX}persistent`,
          [LABEL.persistent]: "true",
        },
        maxReplicasPerNode: 1,
        updateOrder: "stop-first",
      }),
    "stateless: ports, env, command and args, start-first": () =>
      sleeper({
        command: ["/bin/sh", "-c"],
        args: ["echo started && sleep 3600"],
        env: { A: "1", B: "with = sign", EMPTY: "" },
        ports: [
          { target: 8080, protocol: "tcp" },
          { target: 5353, published: 30553, protocol: "udp" },
        ],
        replicas: 2,
        updateOrder: "start-first",
      }),
    "zero replicas, image's own command": () => {
      const fields = sleeper({ replicas: 0 });
      delete fields.command;
      delete fields.args;
      return fields;
    },
    global: () => sleeper({ replicas: null }),
    // No replica, so that a reservation larger than this machine places nothing.
    "resources: CPU and memory limits and reservations": () =>
      sleeper({
        replicas: 0,
        resources: {
          limits: { memoryBytes: 512 * 1024 ** 2, nanoCpus: 1_500_000_000 },
          reservations: { memoryBytes: 64 * 1024 ** 2, nanoCpus: 10_000_000 },
        },
      }),
    "resources: a memory limit only": () =>
      sleeper({ replicas: 0, resources: { limits: { memoryBytes: 6 * 1024 ** 2 } } }),
  };

  let index = 0;
  for (const [shape, make] of Object.entries(shapes)) {
    const name = `${PREFIX}shape-${index++}`;
    it(shape, async () => {
      const fields = make();
      await docker.createService(specFromFields(name, fields));
      expect(await inspectFields(name)).toEqual(fields);
    });
  }

  it("observe() reads back the same fields for every shape, and the version to update against", async () => {
    const observed = await observe(engine);
    // By Swarm name: `name` is the app a managed service stands for (its `alacrity.app` label).
    const ours = observed.services.filter((service) => service.serviceName.startsWith(`${PREFIX}shape-`));
    expect(ours).toHaveLength(Object.keys(shapes).length);
    for (const service of ours) {
      expect(service.fields).toEqual(await inspectFields(service.serviceName));
      expect(service.version).toBeGreaterThan(0);
    }
  });
});

describe("named volumes", () => {
  it("are created by Swarm labelled as managed and with their app", async () => {
    const name = `${PREFIX}volume-owner`;
    const volume = `${PREFIX}vol-owned`;
    await execute(engine, {
      kind: "create",
      app: name,
      fields: sleeper({
        mounts: [{ kind: "named", source: volume, target: "/data", readOnly: false }],
        labels: { "alacrity.test": "swarm", [LABEL.managed]: "true", [LABEL.app]: name },
      }),
    });
    await eventually(
      async () => ((await docker.listVolumes()).Volumes ?? []).some((v) => v.Name === volume),
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    const created = ((await docker.listVolumes()).Volumes ?? []).find((v) => v.Name === volume);
    expect(created?.Labels).toEqual({ [LABEL.managed]: "true", [LABEL.app]: name });
    const observed = await observe(engine);
    expect(observed.volumes.find((v) => v.name === volume)?.labels).toEqual({
      [LABEL.managed]: "true",
      [LABEL.app]: name,
    });
  });
});

describe("an update replaces the whole spec", () => {
  it("drops ports, mounts and the command when the new fields have none, and round-trips", async () => {
    const name = `${PREFIX}update`;
    const before = sleeper({
      ports: [{ target: 8081, protocol: "tcp" }],
      env: { SECRET: "x" },
      replicas: 0,
      labels: { "alacrity.test": "swarm", [LABEL.managed]: "true", [LABEL.app]: name },
    });
    await execute(engine, { kind: "create", app: name, fields: before });
    // Swarm's allocator assigns the ingress port in a second write, which bumps the version.
    let created = await serviceByName(name);
    await eventually(
      async () => {
        created = await serviceByName(name);
        return (created.Endpoint?.Ports ?? []).some((port) => port.PublishedPort);
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );

    const after: ServiceFields = {
      ...sleeper({ replicas: 0 }),
      labels: before.labels,
      updateOrder: "start-first",
    };
    delete after.command;
    delete after.args;
    await execute(engine, {
      kind: "update",
      app: name,
      serviceId: created.ID,
      version: created.Version?.Index ?? 0,
      fields: after,
    });
    expect(await inspectFields(name)).toEqual(after);
  });
});
