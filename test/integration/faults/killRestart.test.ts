import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI } from "../../support/cli.js";
import { startDockerProxy } from "../../support/dockerProxy.js";
import type { DockerProxy } from "../../support/dockerProxy.js";
import { AppsDir, appYaml } from "../../support/manifests.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";
import { faultSuite, SUITE_LABELS, constraintsOf } from "./suite.js";
import { eventually } from "../../support/poll.js";

// The controller SIGKILLed in the middle of applying 200 apps, then run again: it converges with
// no duplicate service, no app pinned twice, every pin on its service's constraint, and every
// volume still there. Replicas are 0 so that nothing has to run (the Swarm is shared and busy).

const { INSTANCE, PREFIX, cli, managedServices } = faultSuite("kill");
const P = PREFIX;
const APPS = 200;
const PERSISTENT = 30;
const docker = newDocker();
let dir: AppsDir;

const name = (i: number): string => `${P}${String(i).padStart(3, "0")}`;
const isPersistent = (i: number): boolean => i % 6 === 0 && i < 6 * PERSISTENT;
const volume = (i: number): string => `${name(i)}-data`;

let slowDocker: DockerProxy;

beforeAll(async () => {
  await cleanupSuite(docker, INSTANCE, PREFIX);
  slowDocker = await startDockerProxy({
    socketPath: join(tmpdir(), `alacrity-kill-${process.pid}.sock`),
    delayMs: 20,
  });
  dir = new AppsDir("alacrity-flt-kill");
  for (let i = 0; i < APPS; i++) {
    const spec = isPersistent(i)
      ? { persistent: true, replicas: 0, volumes: [{ name: volume(i), containerPath: "/data" }] }
      : { replicas: 0 };
    dir.write(`${name(i)}.yaml`, appYaml(name(i), spec, SUITE_LABELS));
  }
  // Data that already exists for the persistent apps: it must survive whatever happens.
  for (let i = 0; i < APPS; i++) {
    if (isPersistent(i)) {
      await docker.createVolume({ Name: `alacran--${volume(i)}`, Labels: { "alacrity.test": INSTANCE } });
    }
  }
}, 120_000);

afterAll(async () => {
  await slowDocker?.close();
  dir?.dispose();
  await cleanupSuite(docker, INSTANCE, PREFIX);
}, 300_000);

interface PinConfig {
  ID: string;
  Spec?: { Name?: string; Labels?: Record<string, string> };
}

describe("apply killed with SIGKILL half-way through 200 apps, then run again", () => {
  it("converges: 200 services, one pin per persistent app on its constraint, no volume removed", async () => {
    const persistentCount = Array.from({ length: APPS }, (_, i) => i).filter(isPersistent).length;
    expect(persistentCount).toBe(PERSISTENT);
    const started = Date.now();
    // Killed twice: once early, once further on, each time once more services exist.
    let atKill = 0;
    for (const more of [20, 40]) {
      const before = atKill;
      // One app at a time through a proxy that delays each request by 20 ms: on a quiet machine
      // a full-speed apply of 200 apps can finish before the test gets to kill it.
      const child = spawn(
        process.execPath,
        [CLI, "apply", "--dir", dir.path, "--instance", INSTANCE, "--concurrency", "1"],
        {
          env: { ...process.env, ALACRITY_LOG_LEVEL: "warn", DOCKER_HOST: slowDocker.dockerHost },
          stdio: "ignore",
        },
      );
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      await eventually(async () => (await managedServices(docker)).size >= before + more, {
        timeoutMs: 90_000,
        intervalMs: 100,
      });
      child.kill("SIGKILL");
      expect(await exited).toBeNull();
      atKill = (await managedServices(docker)).size;
      const pins = ((await docker.listConfigs()) as PinConfig[]).filter((c) =>
        (c.Spec?.Name ?? "").startsWith(`alacrity-pin--${P}`),
      ).length;
      console.log(`killed after ${Date.now() - started} ms with ${atKill} services and ${pins} pins`);
    }
    expect(atKill).toBeLessThan(APPS);

    const again = await cli("apply", dir.path, [], {}, 240_000);
    expect(again.code, again.stdout.slice(-3000) + again.stderr.slice(-3000)).toBe(0);
    console.log(`second apply: ${Date.now() - started} ms since the start`);

    const listed = await docker.listServices({ filters: { label: [`alacrity.instance=${INSTANCE}`] } });
    const names = listed.map((s) => s.Spec?.Name ?? "");
    expect(names).toHaveLength(APPS);
    expect(new Set(names).size).toBe(APPS);
    for (let i = 0; i < APPS; i++) expect(names).toContain(name(i));

    const configs = (await docker.listConfigs()) as PinConfig[];
    const services = await managedServices(docker);
    for (let i = 0; i < APPS; i++) {
      const pins = configs.filter((c) => c.Spec?.Name === `alacrity-pin--${name(i)}`);
      if (!isPersistent(i)) {
        expect(pins).toEqual([]);
        expect(constraintsOf(services.get(name(i)))).toEqual([]);
        continue;
      }
      expect(pins).toHaveLength(1);
      const node = pins[0]?.Spec?.Labels?.["alacrity.pin.node"];
      expect(node).toBeTruthy();
      expect(constraintsOf(services.get(name(i)))).toEqual([`node.id==${node}`]);
    }

    const { Volumes } = await docker.listVolumes();
    for (let i = 0; i < APPS; i++) {
      if (isPersistent(i)) expect(Volumes.some((v) => v.Name === `alacran--${volume(i)}`)).toBe(true);
    }

    const planned = await cli("plan", dir.path);
    expect(planned.code, planned.stdout.slice(-2000)).toBe(0);
  });
});
