import { pino } from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Daemon } from "../../../src/controller/daemon.js";
import { swarmDaemonDeps } from "../../../src/controller/swarmDeps.js";
import { startHttpServer, type RunningHttpServer } from "../../../src/http/server.js";
import { AppsDir, appYaml } from "../../support/manifests.js";
import { connectDocker } from "../../../src/swarm/connect.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";
import { eventually } from "../../support/poll.js";

// The daemon on the real layers and a real Swarm: manifest edits, hand-made drift and deletions
// are noticed through the watcher and Docker events (the periodic resync is set far away).

const INSTANCE = "t-ctl";
const P = "t-ctl-";
const docker = newDocker();
// Manifests may not set `alacrity.*` labels: the suite is marked by its instance label and name prefix.
const labels = { labels: { "test-suite": INSTANCE } };
let dir: AppsDir;
let daemon: Daemon | undefined;
let http: RunningHttpServer | undefined;

async function service(name: string) {
  const list = await docker.listServices({ filters: { name: [name] } });
  return list.find((s) => s.Spec?.Name === name);
}

async function get(path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${http!.url}${path}`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.text() };
}

async function startDaemon(): Promise<void> {
  daemon = new Daemon(
    swarmDaemonDeps({
      docker: connectDocker(),
      dir: dir.path,
      plan: { instance: INSTANCE, allowEmpty: false, allowMassPrune: false },
      logger: pino({ level: process.env.ALACRITY_TEST_LOG ?? "silent" }),
    }),
    { instance: INSTANCE, resyncIntervalMs: 600_000 },
  );
  http = await startHttpServer({
    port: 0,
    registry: daemon.metrics.registry,
    readiness: () => daemon!.readiness(),
    status: () => daemon!.status(),
  });
  await daemon.start();
}

beforeAll(async () => {
  await cleanupSuite(docker, INSTANCE, P);
});
afterAll(async () => {
  await cleanupSuite(docker, INSTANCE, P);
});
beforeEach(() => {
  dir = new AppsDir("alacrity-ctl");
});
afterEach(async () => {
  await daemon?.stop();
  await http?.close();
  daemon = undefined;
  http = undefined;
  dir.dispose();
  await cleanupSuite(docker, INSTANCE, P);
});

describe("Daemon on a real Swarm", () => {
  it("creates at start, follows manifest edits and deletions, and serves /readyz, /status, /metrics", async () => {
    dir.write("web.yaml", appYaml(`${P}web`, { env: { MODE: "one" } }, labels));
    await startDaemon();

    const created = await eventually(() => service(`${P}web`), { timeoutMs: 30_000 });
    expect(created.Spec?.Labels).toMatchObject({ "alacrity.managed": "true", "alacrity.instance": INSTANCE });
    await eventually(async () => (await get("/readyz")).status === 200, { timeoutMs: 30_000 });
    const status = JSON.parse((await get("/status")).body) as { apps: { name: string }[] };
    expect(status.apps.map((a) => a.name)).toContain(`${P}web`);

    dir.write("web.yaml", appYaml(`${P}web`, { env: { MODE: "two" } }, labels));
    await eventually(
      async () => {
        const env = (await service(`${P}web`))?.Spec?.TaskTemplate as { ContainerSpec?: { Env?: string[] } };
        return env.ContainerSpec?.Env?.includes("MODE=two");
      },
      { timeoutMs: 30_000 },
    );

    dir.remove("web.yaml");
    dir.write("other.yaml", appYaml(`${P}other`, {}, labels));
    await eventually(async () => (await service(`${P}web`)) === undefined && (await service(`${P}other`)), {
      timeoutMs: 30_000,
    });

    const metrics = (await get("/metrics")).body;
    expect(metrics).toMatch(/alacrity_actions_total\{kind="create",result="ok"\} [2-9]/);
    expect(metrics).toMatch(/alacrity_actions_total\{kind="remove",result="ok"\} 1/);
  });

  it("brings a persistent app scaled up by hand back to one replica, on the Swarm event", async () => {
    dir.write("db.yaml", appYaml(`${P}db`, { persistent: true }, labels));
    await startDaemon();
    const created = await eventually(() => service(`${P}db`), { timeoutMs: 30_000 });
    await eventually(() => Promise.resolve(daemon!.readiness().ready), { timeoutMs: 30_000 });

    const current = (await docker.getService(created.ID).inspect()) as {
      Spec: { Mode: { Replicated: { Replicas: number } } };
      Version: { Index: number };
    };
    current.Spec.Mode.Replicated.Replicas = 3;
    await docker.getService(created.ID).update({ ...current.Spec, version: current.Version.Index });

    await eventually(
      async () => {
        const svc = await service(`${P}db`);
        return svc?.Spec?.Mode?.Replicated?.Replicas === 1;
      },
      { timeoutMs: 30_000 },
    );
  });
});
