import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDocker } from "../../../src/swarm/connect.js";
import { SwarmLeaseStore } from "../../../src/swarm/leaseStore.js";
import { newDocker } from "../../support/swarmCleanup.js";

/** The compare-and-set the election relies on, against the real Swarm's version index. */
const docker = newDocker();
const engine = connectDocker();
const store = new SwarmLeaseStore(engine, "t-lease-store");
const foreign = new SwarmLeaseStore(engine, "t-lease-foreign");
const record = (holder: string) => ({ holder, renewed: new Date().toISOString(), durationSeconds: 15 });

beforeAll(async () => {
  await Promise.all([store.remove(), foreign.remove()]);
});
afterAll(async () => {
  await Promise.all([store.remove(), foreign.remove()]);
});

describe("SwarmLeaseStore", () => {
  it("creates the lease once: a second create is a conflict", async () => {
    expect(await store.read()).toBeUndefined();
    expect(await store.write(record("a"), undefined)).toBe("ok");
    expect(await store.write(record("b"), undefined)).toBe("conflict");
    expect(await store.read()).toMatchObject({ holder: "a", durationSeconds: 15 });
  });

  it("lets exactly one of two writers with the same version win", async () => {
    const current = (await store.read())!;
    const results = await Promise.all([
      store.write(record("x"), current.version),
      store.write(record("y"), current.version),
    ]);
    expect([...results].sort()).toEqual(["conflict", "ok"]);
    const after = (await store.read())!;
    expect(after.holder).toBe(results[0] === "ok" ? "x" : "y");
    expect(after.version).toBeGreaterThan(current.version);
    expect(await store.write(record("z"), current.version)).toBe("conflict");
  });

  it("never runs a task for the lease", async () => {
    const tasks = await docker.listTasks({ filters: { service: [store.serviceName] } });
    expect(tasks).toEqual([]);
  });

  it("refuses a service of that name that is not a lease, saying what to do", async () => {
    await docker.createService({
      Name: foreign.serviceName,
      Labels: { "alacrity.test": "lease" },
      TaskTemplate: { ContainerSpec: { Image: "alacrity-test/busybox:1" } },
      Mode: { Replicated: { Replicas: 0 } },
    });
    await expect(foreign.read()).rejects.toThrow(
      /alacrity-lease--t-lease-foreign cannot hold this controller's lease: it is not an AlaCrity lease .*another --instance/,
    );
  });
});
