import { join } from "node:path";
import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
  stopDaemon,
  waitForStatus,
  type DaemonProcess,
} from "./daemonProcess.js";
import { eventually } from "../../support/poll.js";

// One real `alacrity run` behind a counting Docker proxy, with a 1 s periodic resync: its HTTP
// endpoints, its structured action logs, that a planted env secret never leaks, and that an idle
// resync only lists. The apps are scaled to 0, so no test waits for tasks to start.

const P = `${PREFIX}h-`;
const SECRET = "s3cr3t-Pa55w0rd-do-not-print";
const SECRET_2 = "an0ther-s3cr3t-value-zz";
const docker = newDocker();
let dir: AppsDir;
let proxy: DockerProxy;
let daemon: DaemonProcess;

async function service(name: string): Promise<Docker.Service | undefined> {
  const list = await docker.listServices({ filters: { name: [name] } });
  return list.find((s) => s.Spec?.Name === name);
}

function envOf(svc: Docker.Service | undefined): string[] {
  return (
    (svc?.Spec?.TaskTemplate as { ContainerSpec?: { Env?: string[] } } | undefined)?.ContainerSpec?.Env ?? []
  );
}

beforeAll(async () => {
  await cleanupSuite(docker, INSTANCE, PREFIX);
  dir = new AppsDir("alacrity-dmn-http");
  proxy = await startDockerProxy({ socketPath: join(dir.path, "proxy.sock") });
  const apps = join(dir.path, "apps");
  dir.write(
    "apps/web.yaml",
    appYaml(`${P}web`, { replicas: 0, env: { DB_PASSWORD: SECRET, MODE: "a" } }, SUITE_LABELS),
  );
  dir.write("apps/db.yaml", appYaml(`${P}db`, { persistent: true, replicas: 0 }, SUITE_LABELS));
  dir.write("apps/idle.yaml", appYaml(`${P}idle`, { replicas: 0 }, SUITE_LABELS));
  daemon = await spawnDaemon({
    dir: apps,
    args: ["--resync", "1"],
    env: { DOCKER_HOST: proxy.dockerHost },
    // As users run it: this daemon takes the instance's lease.
    lease: true,
  });
});

afterAll(async () => {
  if (daemon) await stopDaemon(daemon);
  await killDaemons();
  await proxy?.close();
  dir?.dispose();
  await cleanupSuite(docker, INSTANCE, PREFIX);
});

describe("alacrity run: HTTP endpoints, logs and resync", () => {
  it("serves /healthz at once, /readyz 200 after the first sync, and the metrics", async () => {
    expect((await daemon.get("/healthz")).status).toBe(200);
    await waitForStatus(daemon, "/readyz", 200);
    expect(daemon.logs().some((l) => l.msg === "first sync done")).toBe(true);
    await eventually(async () => (await service(`${P}web`)) && (await service(`${P}db`)), {
      timeoutMs: 30_000,
      intervalMs: 100,
    });

    const metrics = await daemon.get("/metrics");
    expect(metrics.status).toBe(200);
    for (const name of [
      "alacrity_reconciles_total",
      "alacrity_queue_depth",
      "alacrity_apps",
      "alacrity_last_successful_sync_timestamp_seconds",
      "alacrity_docker_errors_total",
    ]) {
      expect(metrics.body).toMatch(new RegExp(`^${name}(\\{[^}]*\\})? \\d`, "m"));
    }
    await eventually(
      async () => {
        const body = (await daemon.get("/metrics")).body;
        const ts = /^alacrity_last_successful_sync_timestamp_seconds (\S+)/m.exec(body)?.[1];
        return ts !== undefined && Number(ts) > Date.now() / 1000 - 60;
      },
      { timeoutMs: 15_000 },
    );
  });

  it("serves /status as the same document as `alacrity status --output json`", async () => {
    await eventually(
      async () => {
        const body = JSON.parse((await daemon.get("/status")).body) as {
          apps: { name: string; state: string }[];
        };
        return body.apps.filter((a) => a.name.startsWith(P) && a.state === "stopped").length === 3;
      },
      { timeoutMs: 30_000 },
    );
    const fromDaemon = JSON.parse((await daemon.get("/status")).body) as { apps: Record<string, unknown>[] };
    const cli = await runCli([
      "status",
      "--dir",
      join(dir.path, "apps"),
      "--instance",
      INSTANCE,
      "--output",
      "json",
    ]);
    expect(cli.code).toBe(0);
    const fromCli = JSON.parse(cli.stdout) as {
      apps: Record<string, unknown>[];
      lease: { holder: string } | null;
    };
    // The daemon may say more (e.g. whether it is the leader), never less.
    expect(Object.keys(fromCli).sort()).toEqual(["apps", "lease"]);
    expect(Object.keys(fromDaemon)).toEqual(expect.arrayContaining(Object.keys(fromCli)));
    // Both name the same lease holder: this daemon.
    expect(fromCli.lease?.holder).toBe((fromDaemon as unknown as { lease: { holder: string } }).lease.holder);
    const byName = (doc: { apps: Record<string, unknown>[] }) =>
      Object.fromEntries(doc.apps.map((a) => [a.name as string, a] as const));
    expect(Object.keys(byName(fromDaemon)).sort()).toEqual(Object.keys(byName(fromCli)).sort());
    for (const [name, row] of Object.entries(byName(fromCli))) {
      expect(Object.keys(byName(fromDaemon)[name]!).sort()).toEqual(Object.keys(row).sort());
      expect(byName(fromDaemon)[name]).toMatchObject({
        name,
        persistent: row.persistent,
        desired: row.desired,
      });
    }
  });

  it("is read-only (405 on POST, PUT, DELETE) and listens on loopback by default", async () => {
    for (const path of ["/", "/ui/events", "/healthz", "/readyz", "/metrics", "/status"]) {
      for (const method of ["POST", "PUT", "DELETE"]) {
        const res = await daemon.get(path, { method });
        expect(res.status, `${method} ${path}`).toBe(405);
      }
    }
    // The address given without a host, and the documented default, are loopback.
    const help = await runCli(["run", "--help"]);
    // Commander wraps the help at 80 columns, so compare it unwrapped.
    expect(help.stdout.replace(/\s+/g, " ")).toMatch(/default: "127\.0\.0\.1:9464"/);
    const other = await spawnDaemon({
      dir: join(dir.path, "apps"),
      listen: ":0",
      waitForHttp: false,
      lease: true,
    });
    const line = await other.waitForLog((l) => typeof l.http === "string");
    expect(line.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const t0 = Date.now();
    other.child.kill("SIGTERM");
    const exit = await other.exited(t0);
    console.log(`[daemon http] standby on ":0" (loopback): SIGTERM exit in ${exit.ms} ms`);
    expect(exit.code).toBe(0);
  });

  it("logs one structured line per action, and never an env value, in logs, /status, /metrics or the web view", async () => {
    dir.write(
      "apps/web.yaml",
      appYaml(`${P}web`, { replicas: 0, env: { DB_PASSWORD: SECRET_2, MODE: "b" } }, SUITE_LABELS),
    );
    await eventually(async () => envOf(await service(`${P}web`)).includes("MODE=b"), {
      timeoutMs: 15_000,
      intervalMs: 100,
    });

    const actions = daemon.logs().filter((l) => l.app !== undefined && l.action !== undefined);
    const create = actions.find((l) => l.app === `${P}web` && l.action === "create");
    expect(create).toMatchObject({ result: "ok" });
    expect(typeof create?.durationMs).toBe("number");
    expect(create?.reconcileId).toMatch(/^[0-9a-f]{8}$/);
    const update = await daemon.waitForLog((l) => l.app === `${P}web` && l.action === "update");
    expect(update).toMatchObject({
      result: "ok",
      // The changed fields exactly: AlaCrity's own labels (the spec hash changed too) are not listed.
      changed: ["env.DB_PASSWORD", "env.MODE"],
    });
    expect(typeof update.durationMs).toBe("number");
    expect(typeof update.reconcileId).toBe("string");
    // One line per action: each (reconcileId, action) appears once.
    const keys = actions.map((l) => `${String(l.reconcileId)}/${String(l.action)}`);
    expect(new Set(keys).size).toBe(keys.length);

    // Positive control: the web view does show this update, with the names of the fields it changed.
    const page = (await daemon.get("/")).body;
    expect(page).toMatch(
      new RegExp(
        `"Target"><b>${P}web</b></td>\\s*<td data-label="Action">\\s*update <span class="reason">\\(env.DB_PASSWORD, env.MODE\\)`,
      ),
    );
    const surfaces = [
      daemon.stdout(),
      daemon.stderr(),
      (await daemon.get("/status")).body,
      (await daemon.get("/metrics")).body,
      page,
    ];
    for (const text of surfaces) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(SECRET_2);
    }
  });

  it("makes only list calls in an idle periodic resync (no writes over 5 s)", async () => {
    // Converged: the last edit is applied and nothing else is pending.
    await eventually(
      async () => {
        const body = JSON.parse((await daemon.get("/status")).body) as {
          apps: { name: string; state: string }[];
        };
        return body.apps
          .filter((a) => a.name.startsWith(P))
          .every((a) => a.state === "running" || a.state === "stopped");
      },
      { timeoutMs: 30_000 },
    );
    await sleep(500);
    proxy.reset();
    await sleep(5000);
    // The leader renews its lease (a write to its own lease service): that is not the resync.
    const leasePath = `/services/alacrity-lease--${INSTANCE}`;
    const all = [...proxy.requests];
    const renewals = all.filter((r) => r.path.startsWith(leasePath)).length;
    const requests = all.filter((r) => !r.path.startsWith(leasePath));
    const writes = requests.filter((r) => r.method !== "GET" && r.method !== "HEAD");
    const paths = new Set(requests.map((r) => `${r.method} ${r.path}`));
    const resyncs = requests.filter((r) => r.path === "/services").length;
    console.log(
      `[daemon resync] 5 s idle: ${requests.length} requests, ${resyncs} list passes, ${writes.length} writes (+${renewals} lease requests)`,
    );
    expect(writes).toEqual([]);
    expect(resyncs).toBeGreaterThanOrEqual(3);
    const allowed = /^GET \/(services|tasks|nodes|volumes|configs|networks|secrets|events|_ping|version)$/;
    expect([...paths].filter((p) => !allowed.test(p))).toEqual([]);
  });
});
