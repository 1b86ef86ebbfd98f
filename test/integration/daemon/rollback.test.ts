import { join } from "node:path";
import type Docker from "dockerode";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../../support/cli.js";
import { startDockerProxy, type DockerProxy } from "../../support/dockerProxy.js";
import { AppsDir, appYaml } from "../../support/manifests.js";
import { eventually } from "../../support/poll.js";
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

// The proof of issue 17 on the real Swarm: a health check that gates convergence, an update that
// fails it and that Swarm rolls back, reported as such by `apply --wait` and `status`, and a
// daemon that does not apply the failed spec again (counted at the Docker socket) until the
// manifest changes.

const P = `${PREFIX}rb-`;
const WEB = `${P}web`;
const SICK = `${P}sick`;
const docker = newDocker();
let dir: AppsDir;
let proxy: DockerProxy | undefined;

/** busybox httpd serving /www; `page` is written to /www/ok.txt unless it is undefined. */
function httpd(page: string | undefined): string[] {
  const setup = page === undefined ? "mkdir -p /www" : `mkdir -p /www && echo ${page} > /www/ok.txt`;
  return ["sh", "-c", `${setup} && exec busybox httpd -f -p 8080 -h /www`];
}

/** An HTTP probe of /ok.txt: fails (with the status line as its output) while the page is missing. */
const HTTP_PROBE = `printf 'GET /ok.txt HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 2 127.0.0.1 8080 | head -n 1 | tee /dev/stderr | grep -q ' 200 '`;

function web(version: string, page: string | undefined): string {
  return appYaml(
    WEB,
    {
      command: httpd(page),
      env: { VERSION: version },
      healthcheck: { test: HTTP_PROBE, interval: "1s", timeout: "3s", retries: 2 },
      update: { monitor: "3s" },
    },
    SUITE_LABELS,
  );
}

const show = (r: CliResult): string => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;
const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runCli([...args, "--instance", INSTANCE], { env, timeoutMs: 300_000 });

async function service(name: string): Promise<Docker.Service | undefined> {
  const list = await docker.listServices({ filters: { name: [name] } });
  return list.find((s) => s.Spec?.Name === name);
}

const envOf = (svc: Docker.Service | undefined): string[] =>
  (svc?.Spec?.TaskTemplate as { ContainerSpec?: { Env?: string[] } } | undefined)?.ContainerSpec?.Env ?? [];

beforeAll(async () => {
  await cleanupSuite(docker, INSTANCE, PREFIX);
});
afterEach(async () => {
  await killDaemons();
  await proxy?.close();
  proxy = undefined;
  dir?.dispose();
  await cleanupSuite(docker, INSTANCE, PREFIX);
});
afterAll(async () => {
  await cleanupSuite(docker, INSTANCE, PREFIX);
});

describe("health checks and rollbacks on the real Swarm", () => {
  it("apply --wait returns once the task is healthy, and reports one that never is with its probe output", async () => {
    dir = new AppsDir("alacrity-health");
    dir.write("web.yaml", web("1", "ok"));
    dir.write(
      "sick.yaml",
      appYaml(
        SICK,
        {
          // Swarm restarts it after each failure; the wait gives up after a few failed tasks. A
          // bare sleep ignores the SIGTERM Swarm stops an unhealthy container with, so the task
          // fails ("unhealthy container"); one that exits 0 on it ends "complete" (README, Limits).
          command: ["sleep", "3600"],
          healthcheck: { test: ["CMD-SHELL", "echo probe-says-no; exit 1"], interval: "1s", retries: 1 },
        },
        SUITE_LABELS,
      ),
    );
    const applied = await cli(["apply", "--dir", dir.path, "--wait", "--timeout", "240"]);
    expect(applied.code, show(applied)).toBe(1);
    expect(applied.stdout + applied.stderr).toMatch(new RegExp(`${SICK}.*unhealthy.*probe-says-no`, "s"));
    // web converged healthy: its one task runs (Swarm marks it running only once its check passed).
    const status = await cli(["status", "--dir", dir.path]);
    const webRow = status.stdout.split("\n").find((l) => l.startsWith(`${WEB} `)) ?? status.stdout;
    expect(webRow).toMatch(/running \(healthy\)/);
    const sickRow = status.stdout.split("\n").find((l) => l.startsWith(`${SICK} `)) ?? status.stdout;
    expect(sickRow).toMatch(/unhealthy: probe-says-no/);
  }, 420_000);

  it("an update that fails its check is rolled back by Swarm, reported, and not applied again until the manifest changes", async () => {
    dir = new AppsDir("alacrity-rollback");
    dir.write("web.yaml", web("1", "ok"));
    const first = await cli(["apply", "--dir", dir.path, "--wait", "--timeout", "120"]);
    expect(first.code, show(first)).toBe(0);

    // Version 2 never serves the page: its task never becomes healthy, so Swarm rolls back.
    dir.write("web.yaml", web("2", undefined));
    const failed = await cli(["apply", "--dir", dir.path, "--wait", "--timeout", "150"]);
    expect(failed.code, show(failed)).toBe(1);
    expect(failed.stdout + failed.stderr).toMatch(new RegExp(`${WEB}.*rolled back`, "s"));
    await eventually(async () => envOf(await service(WEB)).includes("VERSION=1"), {
      timeoutMs: 60_000,
      what: "the service back on version 1",
    });
    const status = await cli(["status", "--dir", dir.path]);
    expect(status.stdout.split("\n").find((l) => l.startsWith(`${WEB} `)) ?? status.stdout).toMatch(
      /rolled back/,
    );
    const planned = await cli(["plan", "--dir", dir.path]);
    expect(planned.stdout).toMatch(/held: the manifest's spec was rolled back by Swarm/);
    expect(planned.stdout).toContain(`alacrity apply --retry ${WEB}`);

    // --retry of an app that is not held changes nothing and says so; of the held one, applies
    // the held spec once more (Swarm starts a new update, which fails and is rolled back again).
    const notHeld = await cli(["apply", "--dir", dir.path, "--retry", `${P}nope`]);
    expect(notHeld.code, show(notHeld)).toBe(1);
    expect(notHeld.stdout + notHeld.stderr).toContain(`${P}nope`);
    const before = (await service(WEB))?.UpdateStatus?.StartedAt;
    const retried = await cli(["apply", "--dir", dir.path, "--retry", WEB, "--wait", "--timeout", "150"]);
    expect(retried.code, show(retried)).toBe(1);
    expect(retried.stdout + retried.stderr).toMatch(new RegExp(`${WEB}.*rolled back`, "s"));
    expect((await service(WEB))?.UpdateStatus?.StartedAt).not.toBe(before);
    const heldAgain = await cli(["plan", "--dir", dir.path]);
    expect(heldAgain.stdout).toMatch(/held: the manifest's spec was rolled back by Swarm/);

    // A daemon left running for 60 s, resyncing every second, makes no update call to web.
    proxy = await startDockerProxy({ socketPath: join(dir.path, "..", `${P}proxy-${process.pid}.sock`) });
    const id = (await service(WEB))?.ID ?? "(no service)";
    const daemon = await spawnDaemon({
      dir: dir.path,
      args: ["--resync", "1"],
      env: { DOCKER_HOST: proxy.dockerHost },
    });
    await waitForStatus(daemon, "/readyz", 200);
    proxy.reset();
    await sleep(60_000);
    const updates = (): number =>
      proxy!.writes().filter((r) => r.method === "POST" && r.path === `/services/${id}/update`).length;
    const reads = proxy.requests.filter((r) => r.method === "GET" && r.path === "/services").length;
    console.log(
      `[rollback] in 60 s the daemon listed services ${reads} times and updated ${WEB} ${updates()} times`,
    );
    expect(reads).toBeGreaterThan(10);
    expect(updates()).toBe(0);
    // `--retry` released the hold record and Swarm rolled the retried spec back again: this
    // daemon records that rollback and tells it once, not on each of its 60 resyncs.
    const told = daemon.logs().filter((l) => /Swarm rolled back the update/.test(String(l.msg)));
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ app: WEB, swarmReason: expect.stringMatching(/unhealthy container/) });

    // Positive control: a manifest edit is applied by the same daemon.
    dir.write("web.yaml", web("3", "ok3"));
    await eventually(async () => envOf(await service(WEB)).includes("VERSION=3"), {
      timeoutMs: 60_000,
      what: "the daemon to apply version 3",
    });
    expect(updates()).toBeGreaterThanOrEqual(1);
  }, 420_000);
});
