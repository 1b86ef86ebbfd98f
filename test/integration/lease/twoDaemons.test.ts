import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppsDir, appYaml } from "../../support/manifests.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";
import {
  INSTANCE,
  PREFIX,
  SUITE_LABELS,
  killAll,
  spawnLeaseDaemon,
  type RunningDaemon,
} from "./leaseDaemons.js";
import { eventually } from "../../support/poll.js";

/**
 * Two `alacrity run` of one instance against the real Swarm: one leads, the other stands by and
 * takes over when the leader dies (lease expiry) or stops (lease release).
 */
const docker = newDocker();
const LEASE = `alacrity-lease--${INSTANCE}`;
const DURATION_S = 3; // renewals and standby reads every second
const APPS = ["a", "b", "c"].map((x) => `${PREFIX}${x}`);
let dir: AppsDir;

async function suiteServices(): Promise<{ name: string; version: number; env: string[] }[]> {
  const list = await docker.listServices({ filters: { name: [PREFIX] } });
  return list
    .filter((s) => (s.Spec?.Name ?? "").startsWith(PREFIX))
    .map((s) => ({
      name: s.Spec!.Name!,
      version: s.Version?.Index ?? 0,
      env:
        (s.Spec?.TaskTemplate as { ContainerSpec?: { Env?: string[] } } | undefined)?.ContainerSpec?.Env ??
        [],
    }));
}

/** Which of `daemons` lead, as their /status says; undefined unless exactly one does and all agree. */
async function soleLeader(daemons: RunningDaemon[]): Promise<RunningDaemon | undefined> {
  const leases = await Promise.all(daemons.map(async (d) => (await d.status()).lease));
  const leaders = daemons.filter((_, i) => leases[i]!.leader);
  if (leaders.length !== 1) return undefined;
  const self = leases[daemons.indexOf(leaders[0]!)]!.self;
  return leases.every((l) => l.holder === self) ? leaders[0] : undefined;
}

async function timeUntilLeader(daemon: RunningDaemon, since: number): Promise<number> {
  await eventually(async () => (await daemon.status()).lease.leader, { timeoutMs: 30_000, intervalMs: 100 });
  return Date.now() - since;
}

beforeAll(async () => {
  await killAll();
  await cleanupSuite(docker, INSTANCE, PREFIX);
  dir = new AppsDir(PREFIX);
  for (const name of APPS)
    dir.write(`${name}.yaml`, appYaml(name, { replicas: 0, env: { V: "1" } }, SUITE_LABELS));
});

afterAll(async () => {
  await killAll();
  await cleanupSuite(docker, INSTANCE, PREFIX);
  dir?.dispose();
});

describe("two controllers of one instance", () => {
  let first: RunningDaemon;
  let second: RunningDaemon;
  let leader: RunningDaemon;
  let standby: RunningDaemon;

  it("elect exactly one leader, which creates each app once; nothing flaps", async () => {
    const args = ["--lease-duration", String(DURATION_S)];
    [first, second] = await Promise.all([spawnLeaseDaemon(dir.path, args), spawnLeaseDaemon(dir.path, args)]);
    leader = await eventually(() => soleLeader([first, second]), { timeoutMs: 30_000, intervalMs: 100 });
    standby = leader === first ? second : first;
    const services = await eventually(
      async () => {
        const list = await suiteServices();
        return list.length >= APPS.length ? list : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(services.map((s) => s.name).sort()).toEqual(APPS);

    const leaderLease = (await leader.status()).lease;
    const readyz = await standby.get("/readyz");
    expect(readyz).toEqual({
      status: 503,
      body: `not ready: standby: the lease is held by ${leaderLease.self}\n`,
    });
    await eventually(async () => (await leader.get("/readyz")).status === 200, {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    expect((await standby.status()).apps).toEqual([]);
    expect((await leader.get("/metrics")).body).toMatch(/^alacrity_lease_leader 1$/m);
    expect((await standby.get("/metrics")).body).toMatch(/^alacrity_lease_leader 0$/m);
    expect((await standby.get("/metrics")).body).toContain(
      `alacrity_lease_info{holder="${leaderLease.self}"} 1`,
    );

    // Five seconds (five renewals): the same leader, no second term, and no write to any app.
    const before = await suiteServices();
    await new Promise((r) => setTimeout(r, 5_000));
    expect(await suiteServices()).toEqual(before);
    const [l, s] = [(await leader.status()).lease, (await standby.status()).lease];
    expect([l.leader, l.terms, s.leader, s.terms]).toEqual([true, 1, false, 0]);
    const lease = await docker.getService(LEASE).inspect();
    expect(lease.Spec.Labels).toMatchObject({
      "alacrity.lease": "true",
      "alacrity.instance": INSTANCE,
      "alacrity.lease.holder": l.self,
      "alacrity.lease.duration-seconds": String(DURATION_S),
    });
    expect(lease.Spec.Labels["alacrity.managed"]).toBeUndefined();
    expect(lease.Spec.Mode).toEqual({ Replicated: { Replicas: 0 } });
  });

  it("hand over to the standby when the leader is killed, within the duration plus a read interval", async () => {
    const killedAt = Date.now();
    leader.child.kill("SIGKILL");
    const ms = await timeUntilLeader(standby, killedAt);
    console.log(`[lease] takeover after SIGKILL of the leader: ${ms} ms (lease ${DURATION_S} s)`);
    // Expiry is 3 s after the standby last saw a renewal (<= 1 s before the kill) + a 1 s read; slack for load.
    expect(ms).toBeLessThan((DURATION_S + 1) * 1000 + 3_000);
    // It waited for the expiry (the last renewal it saw was at most ~2 s before the kill).
    expect(ms).toBeGreaterThanOrEqual((DURATION_S - 2) * 1000);

    dir.write(`${APPS[0]}.yaml`, appYaml(APPS[0]!, { replicas: 0, env: { V: "2" } }, SUITE_LABELS));
    await eventually(
      async () => (await suiteServices()).find((s) => s.name === APPS[0])?.env.includes("V=2"),
      { timeoutMs: 30_000 },
    );
    expect((await suiteServices()).map((s) => s.name).sort()).toEqual(APPS);
    leader = standby;
  });

  it("hand over at once when the leader stops cleanly, because it releases the lease", async () => {
    standby = await spawnLeaseDaemon(dir.path, ["--lease-duration", String(DURATION_S)]);
    const leaderSelf = (await leader.status()).lease.self;
    await eventually(async () => (await standby.status()).lease.holder === leaderSelf, {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    const stoppedAt = Date.now();
    leader.child.kill("SIGTERM");
    const ms = await timeUntilLeader(standby, stoppedAt);
    console.log(`[lease] takeover after SIGTERM of the leader: ${ms} ms (lease ${DURATION_S} s)`);
    expect(await leader.exited()).toBe(0);
    expect(ms).toBeLessThan(DURATION_S * 1000); // an expiry would take at least the duration
    expect(leader.stderr()).toContain("lease released");

    dir.write(`${APPS[1]}.yaml`, appYaml(APPS[1]!, { replicas: 0, env: { V: "3" } }, SUITE_LABELS));
    await eventually(
      async () => (await suiteServices()).find((s) => s.name === APPS[1])?.env.includes("V=3"),
      { timeoutMs: 30_000 },
    );
  });
});
