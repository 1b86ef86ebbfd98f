import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDockerProxy, type DockerProxy, type ProxyRequest } from "../../support/dockerProxy.js";
import { AppsDir, appYaml } from "../../support/manifests.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";
import { killDaemons, sleep, waitForStatus } from "../daemon/daemonProcess.js";
import { faultSuite, STACK_TRACE, SUITE_LABELS, envOf } from "./suite.js";
import { eventually } from "../../support/poll.js";

// A slow or failing Docker API, injected by the counting proxy between AlaCrity and the socket:
// retries are bounded and spaced (counted at the socket), errors are clear and name the app, and
// the daemon survives an outage and converges once Docker answers again.

const { INSTANCE, PREFIX, cli, managedServices, spawnFaultDaemon } = faultSuite("api");
const P = PREFIX;
const docker = newDocker();
let dir: AppsDir;
let proxy: DockerProxy;

const isUpdate = (r: ProxyRequest): boolean =>
  r.method === "POST" && /^\/services\/[^/]+\/update$/.test(r.path);
const isCreate = (r: ProxyRequest): boolean => r.method === "POST" && r.path === "/services/create";

beforeAll(async () => {
  await cleanupSuite(docker, INSTANCE, PREFIX);
  dir = new AppsDir("alacrity-flt-api");
  proxy = await startDockerProxy({ socketPath: join(dir.path, "proxy.sock") });
});

afterAll(async () => {
  await killDaemons();
  await proxy?.close();
  dir?.dispose();
  await cleanupSuite(docker, INSTANCE, PREFIX);
});

const apps = (): string => join(dir.path, "apps");
const viaProxy = (): NodeJS.ProcessEnv => ({ DOCKER_HOST: proxy.dockerHost });

describe("apply through a failing Docker API", () => {
  it("retries an update Swarm keeps refusing a bounded number of times, with backoff, then exits 1 naming the app", async () => {
    for (let i = 0; i < 3; i++)
      dir.write(`apps/u${i}.yaml`, appYaml(`${P}u${i}`, { replicas: 0, env: { V: "1" } }, SUITE_LABELS));
    expect((await cli("apply", apps())).code).toBe(0);
    for (let i = 0; i < 3; i++)
      dir.write(`apps/u${i}.yaml`, appYaml(`${P}u${i}`, { replicas: 0, env: { V: "2" } }, SUITE_LABELS));

    proxy.reset();
    proxy.setFault({
      kind: "status",
      status: 500,
      message: "rpc error: code = Unknown desc = update out of sequence",
      match: isUpdate,
    });
    const started = Date.now();
    const result = await cli("apply", apps(), [], viaProxy());
    const ms = Date.now() - started;
    proxy.setFault(undefined);

    expect(result.code, result.stdout + result.stderr).toBe(1);
    const updates = proxy.requests.filter(isUpdate);
    // 5 attempts per app (the CLI's maxAttempts), never more: no busy loop.
    expect(updates).toHaveLength(15);
    expect(proxy.faulted).toHaveLength(15);
    // Each retry re-observes once (7 list calls): 7 + 3 apps x 4 retries x 7 = 91, plus the updates.
    expect(proxy.requests.length).toBeLessThanOrEqual(91 + 15 + 5);
    // Backoff 100, 200, 400, 800 ms between one app's attempts: at least 1.5 s in all.
    for (const path of new Set(updates.map((u) => u.path))) {
      const times = updates.filter((u) => u.path === path).map((u) => u.at);
      expect(times).toHaveLength(5);
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(100 * 2 ** i - 20));
    }
    expect(ms).toBeGreaterThanOrEqual(1500);
    for (let i = 0; i < 3; i++) {
      expect(result.stdout).toMatch(new RegExp(`${P}u${i}.*FAILED: .*update out of sequence`));
    }
    expect(result.stdout).toContain("3 app(s) failed");
    expect(result.stdout + result.stderr).not.toMatch(STACK_TRACE);
    console.log(
      `update-refused apply: ${proxy.requests.length} requests, ${updates.length} updates, ${ms} ms`,
    );

    // Healed: the same apply converges, and the manifest's change is there.
    const healed = await cli("apply", apps(), [], viaProxy());
    expect(healed.code, healed.stdout + healed.stderr).toBe(0);
    const services = await managedServices(docker);
    for (let i = 0; i < 3; i++) expect(envOf(services.get(`${P}u${i}`))).toContain("V=2");
  });

  it("a create whose connection is dropped every time fails after bounded retries with a clear message", async () => {
    dir.write("apps/new.yaml", appYaml(`${P}dropped`, { replicas: 0 }, SUITE_LABELS));
    proxy.reset();
    proxy.setFault({ kind: "drop", match: isCreate });
    const result = await cli("apply", apps(), [], viaProxy());
    proxy.setFault(undefined);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(proxy.requests.filter(isCreate)).toHaveLength(5);
    expect(result.stdout).toMatch(
      new RegExp(`${P}dropped.*FAILED: .*(socket hang up|ECONNRESET|cannot reach Docker)`),
    );
    expect(result.stdout + result.stderr).not.toMatch(STACK_TRACE);
    expect((await managedServices(docker)).has(`${P}dropped`)).toBe(false);
  });

  it("converges when half of all writes are answered 500, through retries", async () => {
    for (let i = 0; i < 6; i++)
      dir.write(`apps/h${i}.yaml`, appYaml(`${P}h${i}`, { replicas: 0 }, SUITE_LABELS));
    proxy.reset();
    proxy.setFault({
      kind: "status",
      status: 500,
      message: "injected: the manager is busy",
      match: (r) => r.method !== "GET",
      rate: 0.5,
    });
    const result = await cli("apply", apps(), [], viaProxy());
    proxy.setFault(undefined);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(proxy.faulted.length).toBeGreaterThan(0);
    const services = await managedServices(docker);
    for (let i = 0; i < 6; i++) expect(services.has(`${P}h${i}`)).toBe(true);
    expect(services.has(`${P}dropped`)).toBe(true);
    const planned = await cli("plan", apps());
    expect(planned.code, planned.stdout + planned.stderr).toBe(0);
    console.log(`half-failing apply: ${proxy.requests.length} requests, ${proxy.faulted.length} refused`);
  });

  it("an unreachable Docker is a one-line error naming the address, not a stack trace", async () => {
    proxy.setFault({ kind: "drop" });
    const result = await cli("apply", apps(), [], viaProxy());
    proxy.setFault(undefined);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot read the Swarm at ${proxy.dockerHost}`);
    expect(result.stdout + result.stderr).not.toMatch(STACK_TRACE);
  });
});

describe("alacrity run through a Docker API that refuses everything for 5 s", () => {
  it("stays up, says Docker is not reachable, asks little, and converges when Docker heals", async () => {
    const runDir = new AppsDir("alacrity-flt-run");
    try {
      runDir.write("a.yaml", appYaml(`${P}outage`, { replicas: 0 }, SUITE_LABELS));
      proxy.reset();
      proxy.setFault({ kind: "drop" });
      const daemon = await spawnFaultDaemon({ dir: runDir.path, env: { DOCKER_HOST: proxy.dockerHost } });
      const outageStart = Date.now();
      // "Docker has not answered yet" until the first attempt fails, then the reason.
      const readyz = await eventually(
        async () => {
          const r = await daemon.get("/readyz");
          return r.body.includes("Docker is not reachable") && r;
        },
        { timeoutMs: 10_000 },
      );
      expect(readyz.status).toBe(503);
      await sleep(5000 - (Date.now() - outageStart));
      const during = proxy.requests.length;
      expect(daemon.running).toBe(true);
      expect((await daemon.get("/healthz")).status).toBe(200);
      expect(during).toBeLessThan(30);
      expect(daemon.logs().some((l) => /Docker is not reachable/.test(String(l.msg)))).toBe(true);
      expect(daemon.stderr()).not.toMatch(STACK_TRACE);

      proxy.setFault(undefined);
      const healedAt = Date.now();
      await waitForStatus(daemon, "/readyz", 200, 60_000);
      await eventually(async () => (await managedServices(docker)).has(`${P}outage`), {
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      console.log(
        `outage: ${during} requests in 5 s while refused; ready ${Date.now() - healedAt} ms after healing`,
      );
      daemon.child.kill("SIGTERM");
      expect((await daemon.exited()).code).toBe(0);
    } finally {
      runDir.dispose();
    }
  });
});
