import { execFileSync } from "node:child_process";
import { closeSync, openSync, readdirSync, readlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import type Docker from "dockerode";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../support/cli.js";
import { startDockerProxy, type DockerProxy } from "../../support/dockerProxy.js";
import { AppsDir, appYaml } from "../../support/manifests.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";
import {
  INSTANCE,
  PREFIX,
  SUITE_LABELS,
  killDaemons,
  sleep,
  spawnDaemon,
  waitForStatus,
} from "./daemonProcess.js";
import { eventually } from "../../support/poll.js";

// Signals sent to the real `alacrity run` process: a first SIGTERM stops cleanly with 0 (also in
// the middle of start-up or of a 50-app apply, leaving state a second run converges), a second
// signal exits at once.

const P = `${PREFIX}s-`;
const docker = newDocker();
let dir: AppsDir;
let proxy: DockerProxy | undefined;

async function suiteServices(): Promise<Docker.Service[]> {
  const list = await docker.listServices({ filters: { name: [P] } });
  return list.filter((s) => (s.Spec?.Name ?? "").startsWith(P));
}

/** The paths a process has open (its /proc fd links); empty once it is gone. */
function openFiles(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return "";
      }
    });
  } catch {
    return [];
  }
}

const isForced = (l: { msg?: string }) => l.msg === "in-flight work did not finish in time; exiting";

beforeAll(async () => {
  await cleanupSuite(docker, INSTANCE, PREFIX);
});
beforeEach(() => {
  dir = new AppsDir("alacrity-dmn-stop");
});
afterEach(async () => {
  await killDaemons();
  await proxy?.close();
  proxy = undefined;
  dir.dispose();
  await cleanupSuite(docker, INSTANCE, PREFIX);
});

describe("alacrity run shuts down on signals", () => {
  it("exits 0 soon after SIGTERM, when idle and when still starting", async () => {
    dir.write("apps/a.yaml", appYaml(`${P}idle`, { replicas: 0 }, SUITE_LABELS));
    const idle = await spawnDaemon({ dir: join(dir.path, "apps") });
    await waitForStatus(idle, "/readyz", 200);
    const t0 = Date.now();
    idle.child.kill("SIGTERM");
    const idleExit = await idle.exited(t0);

    const starting = await spawnDaemon({ dir: join(dir.path, "apps"), waitForHttp: false });
    await starting.waitForLog((l) => l.msg === "daemon starting");
    const t1 = Date.now();
    starting.child.kill("SIGTERM");
    const startingExit = await starting.exited(t1);

    console.log(`[daemon stop] SIGTERM idle: exit ${idleExit.code} after ${idleExit.ms} ms`);
    console.log(
      `[daemon stop] SIGTERM while starting: exit ${startingExit.code} after ${startingExit.ms} ms`,
    );
    expect(idleExit.code).toBe(0);
    expect(startingExit.code).toBe(0);
    expect(idleExit.ms).toBeLessThan(10_000);
    expect(startingExit.ms).toBeLessThan(10_000);
    // Not by the 9 s safety net: the stop itself completed.
    expect(idle.logs().some(isForced)).toBe(false);
    expect(starting.logs().some(isForced)).toBe(false);
    expect(idle.logs().some((l) => l.msg === "daemon stopped")).toBe(true);
  });

  it("exits 0 on a SIGTERM that comes before its port is open (while it reads its secret file)", async () => {
    dir.write("apps/a.yaml", appYaml(`${P}early`, { replicas: 0 }, SUITE_LABELS));
    // A FIFO as the webhook secret file: start-up blocks in reading it until the test writes and
    // closes it. The test holds it open (read-write, which does not block) so that the daemon's
    // open returns at once and its descriptor shows that it is reading.
    const fifo = join(dir.path, "secret.fifo");
    execFileSync("mkfifo", [fifo]);
    const writer = openSync(fifo, "r+");
    const daemon = await spawnDaemon({
      dir: join(dir.path, "apps"),
      args: ["--webhook-secret-file", fifo],
      waitForHttp: false,
    });
    await eventually(() => Promise.resolve(openFiles(daemon.pid).includes(fifo)), {
      timeoutMs: 20_000,
      intervalMs: 50,
    });
    daemon.child.kill("SIGTERM");
    await sleep(200);
    expect(daemon.running).toBe(true);
    const t0 = Date.now();
    writeSync(writer, "a-secret-of-sixteen-characters\n");
    closeSync(writer);
    const exit = await daemon.exited(t0);
    console.log(`[daemon stop] SIGTERM before the port is open: exit ${exit.code} after ${exit.ms} ms`);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(10_000);
    expect(daemon.logs().some((l) => l.msg === "stopping: no new work, finishing what is in flight")).toBe(
      true,
    );
    // Stopped before reconciling anything.
    expect(await suiteServices()).toHaveLength(0);
  });

  it("exits 0 on SIGTERM in the middle of a 50-app apply, and a second run converges what is left", async () => {
    const apps = join(dir.path, "apps");
    for (let i = 0; i < 50; i++) {
      const n = String(i).padStart(2, "0");
      // Every fifth app is persistent: its pin record is written before its service.
      const spec = i % 5 === 0 ? { persistent: true } : { replicas: 0 };
      dir.write(`apps/${n}.yaml`, appYaml(`${P}app-${n}`, spec, SUITE_LABELS));
    }
    // A slower Docker API (30 ms per request), so that the apply is still in flight at the signal.
    proxy = await startDockerProxy({ socketPath: join(dir.path, "proxy.sock"), delayMs: 30 });
    const daemon = await spawnDaemon({ dir: apps, env: { DOCKER_HOST: proxy.dockerHost } });
    await daemon.waitForLog(
      () => daemon.logs().filter((l) => l.action === "create" && l.result === "ok").length >= 5,
      30_000,
    );
    const t0 = Date.now();
    daemon.child.kill("SIGTERM");
    const exit = await daemon.exited(t0);
    const created = (await suiteServices()).length;
    console.log(
      `[daemon stop] SIGTERM during a 50-app apply: exit ${exit.code} after ${exit.ms} ms, ${created}/50 services created`,
    );
    expect(exit.code).toBe(0);
    expect(exit.ms).toBeLessThan(10_000);
    expect(daemon.logs().some(isForced)).toBe(false);
    expect(created).toBeGreaterThanOrEqual(5);
    expect(created).toBeLessThan(50);

    const second = await runCli(["apply", "--dir", apps, "--instance", INSTANCE]);
    expect(second.code, second.stderr).toBe(0);
    expect(await suiteServices()).toHaveLength(50);
    const plan = await runCli(["plan", "--dir", apps, "--instance", INSTANCE]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });

  it("exits at once on a second signal while the first one waits for in-flight work", async () => {
    for (let i = 0; i < 4; i++)
      dir.write(`apps/${i}.yaml`, appYaml(`${P}slow-${i}`, { replicas: 0 }, SUITE_LABELS));
    // Every request takes 3 s: the creates started after the first observe are still in flight.
    proxy = await startDockerProxy({ socketPath: join(dir.path, "proxy.sock"), delayMs: 3000 });
    const daemon = await spawnDaemon({ dir: join(dir.path, "apps"), env: { DOCKER_HOST: proxy.dockerHost } });
    await daemon.waitForLog((l) => l.msg === "Docker is reachable", 20_000);
    await sleep(300);
    daemon.child.kill("SIGTERM");
    await daemon.waitForLog((l) => l.msg === "daemon stopping" && Number(l.inFlight) > 0, 5000);
    await sleep(200);
    expect(daemon.running).toBe(true);
    const t0 = Date.now();
    daemon.child.kill("SIGINT");
    const exit = await daemon.exited(t0);
    console.log(`[daemon stop] second signal: exit ${exit.code} after ${exit.ms} ms`);
    expect(exit.ms).toBeLessThan(1000);
    expect(exit.code).not.toBe(0);
    expect(daemon.logs().some((l) => l.msg === "second signal: exiting at once")).toBe(true);
  });
});
