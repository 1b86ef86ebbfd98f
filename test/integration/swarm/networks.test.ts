import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execute } from "../../../src/swarm/execute.js";
import { observe } from "../../../src/swarm/observe.js";
import { DockerError } from "../../../src/swarm/errors.js";
import { LABEL } from "../../../src/domain/names.js";
import type { ServiceFields } from "../../../src/swarm/types.js";
import { docker, engine, serviceByName, sleeper, sweep } from "./helpers.js";
import { execIn, runningContainer } from "./containerExec.js";
import { eventually } from "../../support/poll.js";

const PREFIX = "t-swarm-net-";
const NET = `${PREFIX}open`;
const INTERNAL = `${PREFIX}inner`;
const OTHER = `${PREFIX}other`;
const labelsOf = (resource: string): Record<string, string> => ({
  [LABEL.managed]: "true",
  [LABEL.resource]: resource,
  [LABEL.networkHash]: "h-123",
});

/** A tiny server on port 8080 that answers "hi" to every connection. */
const server = (app: string, network: string): ServiceFields =>
  sleeper({
    // busybox's nc is an applet only (no `nc` in PATH); -ll keeps listening after each connection.
    command: ["busybox"],
    args: ["nc", "-ll", "-p", "8080", "-e", "/bin/echo", "hi"],
    networks: [{ network, aliases: [] }],
    labels: { "alacrity.test": "swarm", [LABEL.managed]: "true", [LABEL.app]: app },
  });
const client = (network: string): ServiceFields => sleeper({ networks: [{ network, aliases: [] }] });

async function removeOurNetworks(): Promise<void> {
  const networks = (await docker.listNetworks()).filter((network) => network.Name.startsWith(PREFIX));
  // A network goes only once the tasks on it are gone; Swarm frees it a moment after.
  await eventually(
    async () => {
      const left = (await docker.listNetworks()).filter((network) => network.Name.startsWith(PREFIX));
      await Promise.all(
        left.map((network) =>
          docker
            .getNetwork(network.Id)
            .remove()
            .catch(() => undefined),
        ),
      );
      return left.length === 0;
    },
    {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: `networks ${networks.map((n) => n.Name).join(", ")} removed`,
    },
  );
}

async function cleanUp(): Promise<void> {
  await sweep(PREFIX);
  // `sleep` and `nc` ignore SIGTERM as PID 1: remove their containers at once, not after 10 s.
  const containers = await docker.listContainers({
    all: true,
    filters: { label: ["com.docker.swarm.service.name"] },
  });
  await Promise.all(
    containers
      .filter((container) => container.Labels["com.docker.swarm.service.name"]?.startsWith(PREFIX))
      .map((container) =>
        docker
          .getContainer(container.Id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
  );
  await removeOurNetworks();
}

beforeAll(async () => {
  await cleanUp();
  for (const [name, internal] of [
    [NET, false],
    [INTERNAL, true],
    [OTHER, false],
  ] as const) {
    await execute(engine, {
      kind: "create-network",
      network: { name, internal, attachable: false, encrypted: name === NET, labels: labelsOf(name) },
    });
  }
}, 120_000);

afterAll(async () => {
  await cleanUp();
}, 120_000);

/** Whether the client service's task gets "hi" from `tasks.SERVER:8080`. */
async function reaches(clientService: string, serverService: string): Promise<boolean> {
  const container = await runningContainer(clientService);
  const { output } = await execIn(container, [
    "sh",
    "-c",
    `echo | busybox nc -w 2 tasks.${serverService} 8080`,
  ]);
  return output.includes("hi");
}

describe("create-network", () => {
  it("creates an overlay network with our labels and options, and observe reads them back", async () => {
    const inspected = await docker.getNetwork(NET).inspect();
    expect(inspected).toMatchObject({
      Driver: "overlay",
      Scope: "swarm",
      Internal: false,
      Attachable: false,
    });
    expect(inspected.Labels).toEqual(labelsOf(NET));
    expect(inspected.Options).toHaveProperty("encrypted");
    const observed = await observe(engine);
    expect(observed.networks?.find((network) => network.name === NET)).toEqual({
      id: inspected.Id,
      name: NET,
      driver: "overlay",
      scope: "swarm",
      internal: false,
      attachable: false,
      encrypted: true,
      labels: labelsOf(NET),
    });
    expect(observed.networks?.find((network) => network.name === INTERNAL)).toMatchObject({
      internal: true,
      encrypted: false,
    });
  });

  it("refuses a second network of the same name", async () => {
    await expect(
      execute(engine, {
        kind: "create-network",
        network: { name: NET, internal: false, attachable: false, encrypted: false, labels: {} },
      }),
    ).rejects.toThrow(/cannot create network t-swarm-net-open: .*already exists/);
  });
});

describe("services on a network", () => {
  it("reach each other by tasks.NAME, and observe reads the network back by name", async () => {
    const srv = `${PREFIX}srv`;
    const cli = `${PREFIX}cli`;
    await execute(engine, { kind: "create", app: srv, fields: server(srv, NET) });
    await execute(engine, { kind: "create", app: cli, fields: client(NET) });
    await runningContainer(srv);
    expect(await eventually(() => reaches(cli, srv), { timeoutMs: 30_000, intervalMs: 500 })).toBe(true);

    // Swarm stores the network's ID; observe maps it back, so a no-op stays a no-op.
    const stored = await serviceByName(srv);
    const target = (stored.Spec?.TaskTemplate as Docker.ContainerTaskSpec).Networks?.[0]?.Target;
    expect(target).not.toBe(NET);
    const observed = (await observe(engine)).services.find((service) => service.name === srv);
    expect(observed?.fields).toEqual(server(srv, NET));
  });

  it("on an internal network: reachable from a service on it, not from one outside it", async () => {
    const srv = `${PREFIX}isrv`;
    const inside = `${PREFIX}iin`;
    const outside = `${PREFIX}iout`;
    await execute(engine, { kind: "create", app: srv, fields: server(srv, INTERNAL) });
    await execute(engine, { kind: "create", app: inside, fields: client(INTERNAL) });
    await execute(engine, { kind: "create", app: outside, fields: client(OTHER) });
    await runningContainer(srv);
    // The positive control first: the server is up and answers on its network.
    expect(await eventually(() => reaches(inside, srv), { timeoutMs: 30_000, intervalMs: 500 })).toBe(true);
    expect(await reaches(outside, srv)).toBe(false);
  });

  it("dnsrr endpoint mode round-trips through observe", async () => {
    const app = `${PREFIX}dnsrr`;
    const fields: ServiceFields = { ...client(NET), replicas: 0, endpointMode: "dnsrr" };
    fields.networks = [{ network: NET, aliases: ["db", "primary"] }];
    await execute(engine, { kind: "create", app, fields });
    const observed = (await observe(engine)).services.find((service) => service.name === app);
    expect(observed?.fields).toEqual(fields);
  });
});

describe("remove-network", () => {
  it("of a network in use says which services use it, and is not retried", async () => {
    const inspected = await docker.getNetwork(NET).inspect();
    const error = await execute(engine, { kind: "remove-network", networkId: inspected.Id, name: NET }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(DockerError);
    expect((error as DockerError).message).toMatch(
      /^cannot remove network t-swarm-net-open: services .*t-swarm-net-cli.*t-swarm-net-srv.* still use it/,
    );
    expect((error as DockerError).retryable).toBe(false);
  });

  it("of a network already gone is done", async () => {
    await expect(
      execute(engine, { kind: "remove-network", networkId: "t-swarm-net-nonexistent", name: "gone" }),
    ).resolves.toBeUndefined();
  });

  it("removes a network no service uses", async () => {
    const name = `${PREFIX}unused`;
    await execute(engine, {
      kind: "create-network",
      network: { name, internal: false, attachable: true, encrypted: false, labels: labelsOf(name) },
    });
    const inspected = await docker.getNetwork(name).inspect();
    expect(inspected.Attachable).toBe(true);
    await execute(engine, { kind: "remove-network", networkId: inspected.Id, name });
    expect((await observe(engine)).networks?.some((network) => network.name === name)).toBe(false);
  });
});
