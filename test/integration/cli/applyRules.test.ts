import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../support/cli.js";
import { startDockerProxy } from "../../support/dockerProxy.js";
import { AppsDir, appYaml } from "../../support/manifests.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";
import { editServiceByHand, editTaskTemplateByHand } from "../../support/editByHand.js";
import { eventually } from "../../support/poll.js";

const INSTANCE = "t-cli";
const P = "t-cli-";
const docker = newDocker();
let dir: AppsDir;

const cli = (...args: string[]) => runCli([...args, "--instance", INSTANCE]);
const apply = (...extra: string[]) => cli("apply", "--dir", dir.path, ...extra);
const plan = (...extra: string[]) => cli("plan", "--dir", dir.path, ...extra);

async function service(name: string) {
  const list = await docker.listServices({ filters: { name: [name] } });
  return list.find((s) => s.Spec?.Name === name);
}

beforeAll(async () => {
  await cleanupSuite(docker, INSTANCE, P);
});
afterAll(async () => {
  await cleanupSuite(docker, INSTANCE, P);
  dir?.dispose();
});
beforeEach(async () => {
  await cleanupSuite(docker, INSTANCE, P);
  dir?.dispose();
  dir = new AppsDir("alacrity-cli");
});

describe("apply and plan on a real Swarm", () => {
  it("creates apps, labels them, and a second plan is empty (exit 2, then 0)", async () => {
    dir.write("a.yaml", appYaml(`${P}web`, { replicas: 2 }, { labels: { team: "blog" } }));
    expect((await plan()).code).toBe(2);
    const applied = await apply();
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const svc = await service(`${P}web`);
    expect(svc?.Spec?.Labels).toMatchObject({
      "alacrity.managed": "true",
      "alacrity.app": `${P}web`,
      "alacrity.instance": INSTANCE,
      "alacrity.file": "a.yaml",
      team: "blog",
    });
    expect(svc?.Spec?.Mode?.Replicated?.Replicas).toBe(2);
    const again = await plan();
    expect(again.stdout).toContain("No changes");
    expect(again.code).toBe(0);
  });

  it("a no-op apply makes only list calls (counted at the socket) and no update", async () => {
    for (let i = 0; i < 5; i++) dir.write(`app${i}.yaml`, appYaml(`${P}noop${i}`, { replicas: 0 }));
    expect((await apply()).code).toBe(0);
    const proxy = await startDockerProxy({
      socketPath: join(tmpdir(), `alacrity-proxy-${process.pid}.sock`),
    });
    try {
      const result = await runCli(["apply", "--dir", dir.path, "--instance", INSTANCE], {
        env: { DOCKER_HOST: proxy.dockerHost },
      });
      expect(result.code, result.stderr).toBe(0);
      expect(proxy.writes()).toEqual([]);
      expect(proxy.requests.length).toBeGreaterThan(0);
      expect(proxy.requests.length).toBeLessThanOrEqual(12);
      expect(proxy.requests.filter((r) => /^\/services\/[^/]+$/.test(r.path))).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it("updates only what changed, says why, and never prints env values", async () => {
    dir.write("db.yaml", appYaml(`${P}upd`, { env: { PASSWORD: "s3cret-one" } }));
    expect((await apply()).code).toBe(0);
    const before = await service(`${P}upd`);
    dir.write("db.yaml", appYaml(`${P}upd`, { env: { PASSWORD: "s3cret-two" }, args: ["x"] }));
    const planned = await plan();
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain(`~ update ${P}upd (manifest changed)`);
    expect(planned.stdout).toContain("    env.PASSWORD: (set) -> (changed)\n");
    expect(planned.stdout).toContain('    args: (image default) -> ["x"]\n');
    expect(planned.stdout).toContain("    restarts: yes (start-first)\n");
    // The spec hash changed (asserted below on the service) but is AlaCrity's own: not listed.
    expect(planned.stdout).not.toContain("alacrity.hash");
    const json = await plan("--output", "json");
    const update = (JSON.parse(json.stdout) as { actions: Record<string, unknown>[] }).actions[0];
    expect(update).toMatchObject({ kind: "update", restarts: true, restartOrder: "start-first" });
    expect(JSON.stringify(update)).toContain("env.PASSWORD");
    expect(JSON.stringify(update?.changes)).not.toContain("alacrity.hash");
    for (const text of [planned.stdout, planned.stderr, json.stdout, json.stderr]) {
      expect(text).not.toContain("s3cret");
    }
    const applied = await apply();
    expect(applied.code).toBe(0);
    expect(applied.stdout + applied.stderr).not.toContain("s3cret");
    const after = await service(`${P}upd`);
    expect(after?.Version?.Index).toBeGreaterThan(before?.Version?.Index ?? 0);
    expect(
      (after?.Spec?.TaskTemplate as { ContainerSpec?: { Env?: string[] } }).ContainerSpec?.Env,
    ).toContain("PASSWORD=s3cret-two");
    expect(after?.Spec?.Labels?.["alacrity.hash"]).not.toBe(before?.Spec?.Labels?.["alacrity.hash"]);
  });

  it("scales a persistent service scaled by hand back to one, and the drift shows in plan", async () => {
    dir.write("p.yaml", appYaml(`${P}pers`, { persistent: true, replicas: 1 }));
    expect((await apply()).code).toBe(0);
    const svc = (await service(`${P}pers`))!;
    await editServiceByHand(docker, svc, (spec) => ({ ...spec, Mode: { Replicated: { Replicas: 3 } } }));
    const planned = await plan();
    expect(planned.stdout).toMatch(new RegExp(`\\^ scale ${P}pers 3 -> 1 \\(scaled back`));
    expect((await apply()).code).toBe(0);
    expect((await service(`${P}pers`))?.Spec?.Mode?.Replicated?.Replicas).toBe(1);
  });

  it("sets CPU and memory limits, runs within them, and removes a limit set by hand (drift)", async () => {
    const resources = { limits: { cpus: 0.5, memory: "64M" }, reservations: { memory: "16M" } };
    dir.write("r.yaml", appYaml(`${P}limited`, { replicas: 1, resources }));
    const applied = await apply("--wait", "--timeout", "60");
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const svc = (await service(`${P}limited`))!;
    expect(svc.Spec?.TaskTemplate?.Resources).toEqual({
      Limits: { NanoCPUs: 500_000_000, MemoryBytes: 64 * 1024 ** 2 },
      Reservations: { MemoryBytes: 16 * 1024 ** 2 },
    });
    // The container itself got the limits.
    const [container] = await docker.listContainers({
      filters: { label: [`com.docker.swarm.service.name=${P}limited`] },
    });
    const host = (await docker.getContainer(container!.Id).inspect()).HostConfig;
    expect({ memory: host.Memory, nanoCpus: host.NanoCpus }).toEqual({
      memory: 64 * 1024 ** 2,
      nanoCpus: 500_000_000,
    });
    expect((await plan()).code).toBe(0);

    await editTaskTemplateByHand(docker, svc, (template) => ({
      ...template,
      Resources: { Limits: { NanoCPUs: 500_000_000, MemoryBytes: 1024 ** 3 } },
    }));
    const planned = await plan();
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain("resources.limits.memory: 1G -> 64M");
    expect(planned.stdout).toContain("resources.reservations.memory: (none) -> 16M");
    expect((await apply()).code).toBe(0);
    expect((await service(`${P}limited`))?.Spec?.TaskTemplate?.Resources).toEqual(
      svc.Spec?.TaskTemplate?.Resources,
    );
  });

  it("apply --wait names Swarm's reason for a reservation no node can meet", async () => {
    dir.write("big.yaml", appYaml(`${P}greedy`, { resources: { reservations: { cpus: 512 } } }));
    const applied = await apply("--wait", "--timeout", "5");
    expect(applied.code).toBe(1);
    expect(applied.stdout).toContain("insufficient resources");
  });

  it("rejects a persistent app asking for 3 replicas with its position, and still applies the others", async () => {
    dir.write("bad.yaml", appYaml(`${P}many`, { persistent: true, replicas: 3 }));
    dir.write("good.yaml", appYaml(`${P}fine`));
    const planned = await plan();
    expect(planned.code).toBe(1);
    expect(planned.stdout).toMatch(
      /bad\.yaml:\d+:\d+: spec\.replicas: a persistent app cannot have more than 1 replica \(got 3\)/,
    );
    const applied = await apply();
    expect(applied.code).toBe(1);
    expect(await service(`${P}many`)).toBeUndefined();
    expect(await service(`${P}fine`)).toBeDefined();
  });

  it("removing an app removes its service but keeps its volume and its pin", async () => {
    dir.write(
      "db.yaml",
      appYaml(`${P}vol`, { persistent: true, volumes: [{ name: `${P}data`, containerPath: "/data" }] }),
    );
    dir.write("keep.yaml", appYaml(`${P}keep`, { replicas: 0 }));
    const applied = await apply("--wait", "--timeout", "60");
    expect(applied.code, applied.stdout).toBe(0);
    const volume = await docker.getVolume(`alacran--${P}data`).inspect();
    expect(volume.Labels).toMatchObject({ "alacrity.app": `${P}vol` });
    dir.remove("db.yaml");
    const removed = await apply();
    expect(removed.code, removed.stdout).toBe(0);
    expect(removed.stdout).toContain(`- remove ${P}vol`);
    expect(await service(`${P}vol`)).toBeUndefined();
    await expect(docker.getVolume(`alacran--${P}data`).inspect()).resolves.toBeDefined();
    await expect(docker.getConfig(`alacrity-pin--${P}vol`).inspect()).resolves.toBeDefined();
  });

  it("never overwrites an unmanaged service with an app's name", async () => {
    await docker.createService({
      Name: `${P}foreign`,
      Labels: { "alacrity.test": "cli" },
      TaskTemplate: { ContainerSpec: { Image: "alacrity-test/busybox:1", Command: ["sleep", "3600"] } },
      Mode: { Replicated: { Replicas: 0 } },
    });
    dir.write("f.yaml", appYaml(`${P}foreign`, { replicas: 1 }));
    const applied = await apply();
    expect(applied.code).toBe(1);
    expect(applied.stdout).toMatch(/reject t-cli-foreign: .*not managed by AlaCrity/);
    const svc = await service(`${P}foreign`);
    expect(svc?.Spec?.Labels?.["alacrity.managed"]).toBeUndefined();
    expect(svc?.Spec?.Mode?.Replicated?.Replicas).toBe(0);
  });

  it("rejects the newcomer when two apps claim one volume; the deployed one keeps running", async () => {
    const volumes = [{ name: `${P}shared`, containerPath: "/data" }];
    dir.write("one.yaml", appYaml(`${P}first`, { persistent: true, replicas: 0, volumes }));
    expect((await apply()).code).toBe(0);
    dir.write("two.yaml", appYaml(`${P}second`, { persistent: true, replicas: 0, volumes }));
    const applied = await apply();
    expect(applied.code).toBe(1);
    expect(applied.stdout).toMatch(/reject t-cli-second: \S*two\.yaml:\d+:\d+: .*alacran--t-cli-shared/);
    expect(await service(`${P}second`)).toBeUndefined();
    expect(await service(`${P}first`)).toBeDefined();
  });

  it("apply --wait reports Swarm's own error for a missing host path, with the node", async () => {
    const missing = `/tmp/alacrity-missing-${process.pid}/uploads`;
    dir.write(
      "u.yaml",
      appYaml(`${P}bind`, { persistent: true, volumes: [{ hostPath: missing, containerPath: "/uploads" }] }),
    );
    // /tmp is no default data root: the operator allows it here.
    const applied = await apply("--wait", "--timeout", "40", "--allow-host-path", "/tmp");
    expect(applied.code).toBe(1);
    expect(applied.stdout).toContain(
      `warning: ${P}bind: host path ${missing} cannot be seen from this controller (not on this machine or not readable), so its symlinks were not checked`,
    );
    expect(applied.stdout).toContain(`bind source path does not exist: ${missing}`);
    expect(applied.stdout).toMatch(/on node \S+/);
  });

  it("refuses host paths outside the allowed roots, into forbidden paths through symlinks, and nested in another app's", async () => {
    const root = mkdtempSync(join(tmpdir(), "alacrity-t-cli-hostpath-"));
    try {
      mkdirSync(join(root, "db", "pgdata"), { recursive: true });
      symlinkSync("/etc", join(root, "link"));
      const bind = (name: string, hostPath: string) =>
        appYaml(`${P}${name}`, {
          persistent: true,
          replicas: 0,
          volumes: [{ hostPath, containerPath: "/data" }],
        });
      dir.write("etc.yaml", bind("etc", "/etc"));
      dir.write("link.yaml", bind("link", join(root, "link")));
      dir.write("outside.yaml", bind("outside", join(root, "db")));
      const byDefault = await apply();
      expect(byDefault.code).toBe(1);
      expect(byDefault.stdout).toMatch(
        /reject t-cli-etc: \S*etc\.yaml:\d+:\d+: .*binding \/etc is refused: it is \/etc/,
      );
      expect(byDefault.stdout).toContain(
        `binding ${root}/db is refused: it is not under an allowed data root (/srv, /mnt, /data)`,
      );

      dir.remove("etc.yaml");
      const allowed = await apply("--allow-host-path", root);
      expect(allowed.code).toBe(1);
      expect(allowed.stdout).toContain(
        `binding ${root}/link is refused: through a symlink (${root}/link -> /etc) it is /etc`,
      );
      expect(await service(`${P}link`)).toBeUndefined();
      expect(await service(`${P}outside`)).toBeDefined();

      dir.remove("link.yaml");
      dir.write("inside.yaml", bind("inside", join(root, "db", "pgdata")));
      const nested = await apply("--allow-host-path", root);
      expect(nested.code).toBe(1);
      expect(nested.stdout).toContain(
        `host path ${root}/db/pgdata lies inside host path ${root}/db of app ${P}outside, which is deployed and keeps it`,
      );
      expect(await service(`${P}inside`)).toBeUndefined();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("an empty directory removes nothing without --allow-empty", async () => {
    dir.write("a.yaml", appYaml(`${P}lonely`, { replicas: 0 }));
    expect((await apply()).code).toBe(0);
    dir.clear();
    const held = await apply();
    expect(held.code).toBe(1);
    expect(held.stdout).toContain("--allow-empty");
    expect(await service(`${P}lonely`)).toBeDefined();
    const allowed = await apply("--allow-empty");
    expect(allowed.code).toBe(0);
    expect(await service(`${P}lonely`)).toBeUndefined();
  });

  it("a broken file keeps the apps it last defined", async () => {
    dir.write("broken.yaml", appYaml(`${P}kept`, { replicas: 0 }));
    dir.write("other.yaml", appYaml(`${P}other`, { replicas: 0 }));
    expect((await apply()).code).toBe(0);
    dir.write("broken.yaml", "apiVersion: alacrity.dev/v1\nkind: App\nmetadata: {name: [unclosed\n");
    const applied = await apply();
    expect(applied.code).toBe(1);
    expect(applied.stdout).toMatch(/broken\.yaml:\d+:\d+:/);
    expect(await service(`${P}kept`)).toBeDefined();
  });

  it("holds back a mass prune unless --allow-mass-prune", async () => {
    for (let i = 0; i < 5; i++) dir.write(`m${i}.yaml`, appYaml(`${P}mass${i}`, { replicas: 0 }));
    expect((await apply()).code).toBe(0);
    for (let i = 0; i < 3; i++) dir.remove(`m${i}.yaml`);
    const held = await apply();
    expect(held.code).toBe(1);
    expect(held.stdout).toContain("--allow-mass-prune");
    expect(await service(`${P}mass0`)).toBeDefined();
    expect((await apply("--allow-mass-prune")).code).toBe(0);
    await eventually(async () => (await service(`${P}mass0`)) === undefined);
    expect(await service(`${P}mass4`)).toBeDefined();
  });

  it("status lists each app with its pin, volumes and state, as a table and as JSON", async () => {
    dir.write(
      "s.yaml",
      appYaml(`${P}stat`, { persistent: true, volumes: [{ name: `${P}sdata`, containerPath: "/data" }] }),
    );
    expect((await apply("--wait", "--timeout", "60")).code).toBe(0);
    const table = await cli("status");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /^NAME\s+PERSISTENT\s+REPLICAS\s+NODE\s+VOLUMES\s+NETWORKS\s+STATE\s+REASON/,
    );
    expect(table.stdout).toMatch(
      new RegExp(
        `${P}stat\\s+yes\\s+1/1\\s+\\S+ \\(ready/active\\)\\s+alacran--${P}sdata\\s+alacran--default\\s+running`,
      ),
    );
    const json = await cli("status", "--output", "json");
    const doc = JSON.parse(json.stdout) as { apps: { name: string; persistent: boolean; running: number }[] };
    expect(doc.apps).toContainEqual(
      expect.objectContaining({ name: `${P}stat`, persistent: true, running: 1 }),
    );
  });
});
