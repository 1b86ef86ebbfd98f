import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMultiNodeSwarm, type MultiNodeSwarm } from "../../harness/multiNodeSwarm.js";
import { AppsDir, appYaml } from "../../support/manifests.js";
import {
  PREFIX,
  SUITE_LABELS,
  killDaemons,
  sleep,
  spawnDaemon,
  waitForStatus,
  type DaemonProcess,
} from "./daemonProcess.js";
import { eventually } from "../../support/poll.js";

// The real `alacrity run` against a private one-node Swarm (Docker-in-Docker) whose engine is
// stopped and started again: the daemon keeps running, says it is not ready while Docker is away,
// reconnects with backoff, resyncs everything, and follows Swarm events again.

const P = `${PREFIX}rc-`;
let swarm: MultiNodeSwarm | undefined;
let dir: AppsDir;
let daemon: DaemonProcess;

async function service(docker: Docker, name: string): Promise<Docker.Service | undefined> {
  const list = await docker.listServices({ filters: { name: [name] } });
  return list.find((s) => s.Spec?.Name === name);
}

beforeAll(async () => {
  swarm = await startMultiNodeSwarm({ nodes: 1 });
  dir = new AppsDir("alacrity-dmn-reconnect");
  dir.write("web.yaml", appYaml(`${P}web`, { replicas: 1 }, SUITE_LABELS));
  dir.write("api.yaml", appYaml(`${P}api`, { replicas: 0 }, SUITE_LABELS));
}, 300_000);

afterAll(async () => {
  await killDaemons();
  dir?.dispose();
  await swarm?.cleanup();
}, 120_000);

describe("alacrity run when Docker goes away", () => {
  it("keeps running, reports not ready, reconnects, resyncs and follows events again", async () => {
    const s = swarm!;
    const node = s.nodes[0]!;
    daemon = await spawnDaemon({
      dir: dir.path,
      args: ["--resync", "3600"],
      env: { DOCKER_HOST: s.dockerHost },
    });
    await waitForStatus(daemon, "/readyz", 200, 30_000);
    await eventually(
      async () => (await service(s.docker, `${P}web`)) && (await service(s.docker, `${P}api`)),
      { timeoutMs: 30_000 },
    );

    const down = Date.now();
    await node.stop();
    await waitForStatus(daemon, "/readyz", 503, 20_000);
    const notReady = await daemon.get("/readyz");
    console.log(
      `[daemon reconnect] /readyz 503 ${Date.now() - down} ms after the engine stopped: ${notReady.body.trim()}`,
    );
    expect(notReady.body).toMatch(/Docker is not reachable/);
    expect((await daemon.get("/healthz")).status).toBe(200);
    await sleep(1500); // a few failed reconnect attempts
    expect(daemon.running).toBe(true);

    await node.start();
    const back = Date.now();
    // Drift made as soon as the engine answers, likely before the daemon's next reconnect attempt.
    const api = await eventually(() => service(s.docker, `${P}api`), { timeoutMs: 30_000, intervalMs: 100 });
    await s.docker.getService(api.ID).remove();

    await waitForStatus(daemon, "/readyz", 200, 60_000);
    const readyMs = Date.now() - back;
    await daemon.waitForLog((l) => l.msg === "reconnected to Docker; resyncing", 5000);
    await eventually(
      async () => {
        const svc = await service(s.docker, `${P}api`);
        return svc !== undefined && svc.ID !== api.ID;
      },
      { timeoutMs: 30_000 },
    );
    console.log(
      `[daemon reconnect] ready again ${readyMs} ms after the engine started; deleted app re-created`,
    );

    // Events flow again: a hand-made scale is corrected as quickly as before the outage.
    const web = await service(s.docker, `${P}web`);
    const raw = (await s.docker.getService(web!.ID).inspect()) as {
      Spec: { Mode: { Replicated: { Replicas: number } } };
      Version: { Index: number };
    };
    raw.Spec.Mode.Replicated.Replicas = 3;
    await s.docker.getService(web!.ID).update({ ...raw.Spec, version: raw.Version.Index });
    const t0 = Date.now();
    await eventually(
      async () => (await service(s.docker, `${P}web`))?.Spec?.Mode?.Replicated?.Replicas === 1,
      { timeoutMs: 15_000, intervalMs: 20 },
    );
    const ms = Date.now() - t0;
    console.log(`[daemon reconnect] scale drift after the outage corrected in ${ms} ms`);
    expect(ms).toBeLessThan(2000);
    const lost = daemon.logs().find((l) => l.msg === "Docker event stream lost; reconnecting with backoff");
    expect(lost).toBeDefined();
    expect(daemon.running).toBe(true);
  });
});
