import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppsDir, appYaml } from "../../support/manifests.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";
import {
  INSTANCE,
  PREFIX,
  SUITE_LABELS,
  killDaemons,
  spawnDaemon,
  waitForStatus,
  type DaemonProcess,
} from "./daemonProcess.js";
import { eventually } from "../../support/poll.js";

// The real `alacrity run` on the shared Swarm: changes made by hand behind the daemon's back are
// noticed through Docker's event stream (the periodic resync is set far away, so it cannot help)
// and corrected within 2 s, measured from the moment the manual change was accepted by Docker.

const P = `${PREFIX}drift-`;
const docker = newDocker();
let dir: AppsDir;
let daemon: DaemonProcess;

interface Spec {
  Name: string;
  Mode: { Replicated: { Replicas: number } };
  TaskTemplate: { Placement?: { Constraints?: string[] } };
  Labels?: Record<string, string>;
}

async function findService(name: string): Promise<Docker.Service | undefined> {
  const list = await docker.listServices({ filters: { name: [name] } });
  return list.find((s) => s.Spec?.Name === name);
}

async function inspect(name: string): Promise<{ id: string; spec: Spec; version: number }> {
  const svc = await findService(name);
  if (!svc) throw new Error(`service ${name} not found`);
  const raw = (await docker.getService(svc.ID).inspect()) as {
    ID: string;
    Spec: Spec;
    Version: { Index: number };
  };
  return { id: raw.ID, spec: raw.Spec, version: raw.Version.Index };
}

/** Milliseconds from `since` until `check` holds, polling Docker every 20 ms (bounded at 15 s). */
async function msUntil(since: number, check: () => Promise<boolean>): Promise<number> {
  await eventually(check, {
    timeoutMs: 15_000 - (Date.now() - since),
    intervalMs: 20,
    what: "the correction",
  });
  return Date.now() - since;
}

const pinOf = (spec: Spec) =>
  (spec.TaskTemplate.Placement?.Constraints ?? []).filter((c) => c.startsWith("node."));

beforeAll(async () => {
  await cleanupSuite(docker, INSTANCE, PREFIX);
  dir = new AppsDir("alacrity-dmn-drift");
  dir.write("db.yaml", appYaml(`${P}db`, { persistent: true }, SUITE_LABELS));
  dir.write("web.yaml", appYaml(`${P}web`, { replicas: 1 }, SUITE_LABELS));
  daemon = await spawnDaemon({ dir: dir.path, args: ["--resync", "3600"] });
  await waitForStatus(daemon, "/readyz", 200);
  await eventually(async () => (await findService(`${P}db`)) && (await findService(`${P}web`)), {
    timeoutMs: 30_000,
  });
});

afterAll(async () => {
  await killDaemons();
  dir?.dispose();
  await cleanupSuite(docker, INSTANCE, PREFIX);
});

describe("alacrity run corrects manual changes on Swarm events", () => {
  it("scales a persistent app scaled to 3 by hand back to 1 within 2 s", async () => {
    const { id, spec, version } = await inspect(`${P}db`);
    spec.Mode.Replicated.Replicas = 3;
    await docker.getService(id).update({ ...spec, version });
    const ms = await msUntil(
      Date.now(),
      async () => (await inspect(`${P}db`)).spec.Mode.Replicated.Replicas === 1,
    );
    console.log(`[daemon drift] persistent app scaled to 3 by hand: back to 1 after ${ms} ms`);
    expect(ms).toBeLessThan(2000);
  });

  it("puts back a pin constraint removed by hand within 2 s", async () => {
    const before = await inspect(`${P}db`);
    const pin = pinOf(before.spec);
    expect(pin.length).toBe(1);
    const spec = structuredClone(before.spec);
    spec.TaskTemplate.Placement = {};
    await docker.getService(before.id).update({ ...spec, version: before.version });
    // The manual update went through (the daemon may already have put the pin back: it is fast).
    expect((await inspect(`${P}db`)).version).toBeGreaterThan(before.version);
    const ms = await msUntil(Date.now(), async () => {
      const now = pinOf((await inspect(`${P}db`)).spec);
      return now.length === 1 && now[0] === pin[0];
    });
    console.log(`[daemon drift] pin constraint removed by hand: restored after ${ms} ms`);
    expect(ms).toBeLessThan(2000);
  });

  it("re-creates a managed service deleted by hand within 2 s", async () => {
    const { id } = await inspect(`${P}web`);
    await docker.getService(id).remove();
    const ms = await msUntil(Date.now(), async () => {
      const svc = await findService(`${P}web`);
      return svc !== undefined && svc.ID !== id;
    });
    console.log(`[daemon drift] managed service deleted by hand: re-created after ${ms} ms`);
    expect(ms).toBeLessThan(2000);
    const created = await inspect(`${P}web`);
    expect(created.spec.Labels?.["alacrity.managed"]).toBe("true");
  });
});
