import { mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type Docker from "dockerode";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../support/cli.js";
import { startDockerProxy } from "../../support/dockerProxy.js";
import { AppsDir, appYaml } from "../../support/manifests.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";
import {
  INSTANCE,
  PREFIX,
  SUITE_LABELS,
  killDaemons,
  spawnDaemon,
  waitForStatus,
  type LogLine,
} from "./daemonProcess.js";
import { eventually } from "../../support/poll.js";

// The real `alacrity run` follows what editors, git and git-sync do to the apps directory. The
// periodic resync is set far away, so every change here is seen through the manifest watch.

const P = `${PREFIX}w-`;
const docker = newDocker();
let dir: AppsDir;

async function services(prefix: string): Promise<Docker.Service[]> {
  const list = await docker.listServices({ filters: { name: [prefix] } });
  return list.filter((s) => (s.Spec?.Name ?? "").startsWith(prefix));
}

async function service(name: string): Promise<Docker.Service | undefined> {
  return (await services(name)).find((s) => s.Spec?.Name === name);
}

function envOf(svc: Docker.Service | undefined): string[] {
  return (
    (svc?.Spec?.TaskTemplate as { ContainerSpec?: { Env?: string[] } } | undefined)?.ContainerSpec?.Env ?? []
  );
}

const hasEnv = (name: string, entry: string) => async () => envOf(await service(name)).includes(entry);
const exists = (name: string) => async () => (await service(name)) !== undefined;
const gone = (name: string) => async () => (await service(name)) === undefined;

beforeAll(async () => {
  await cleanupSuite(docker, INSTANCE, PREFIX);
});
beforeEach(() => {
  dir = new AppsDir("alacrity-dmn-watch");
});
afterEach(async () => {
  await killDaemons();
  dir.dispose();
  await cleanupSuite(docker, INSTANCE, PREFIX);
});
afterAll(async () => {
  await cleanupSuite(docker, INSTANCE, PREFIX);
});

describe("alacrity run watches the apps directory", () => {
  it("follows create, edit, rename and delete, in subdirectories and through temp-file saves", async () => {
    // An anchor app: a directory with no manifest left would (rightly) remove nothing without --allow-empty.
    dir.write("anchor.yaml", appYaml(`${P}anchor`, { replicas: 0 }, SUITE_LABELS));
    const daemon = await spawnDaemon({ dir: dir.path, args: ["--resync", "3600"] });
    await waitForStatus(daemon, "/readyz", 200);

    dir.write("a.yaml", appYaml(`${P}a`, { env: { V: "1" } }, SUITE_LABELS));
    await eventually(hasEnv(`${P}a`, "V=1"), { timeoutMs: 15_000, intervalMs: 50 });

    // An editor's save: write a temp file next to it, then rename it over the manifest.
    dir.write(".a.yaml.swp", appYaml(`${P}a`, { env: { V: "2" } }, SUITE_LABELS));
    renameSync(join(dir.path, ".a.yaml.swp"), join(dir.path, "a.yaml"));
    await eventually(hasEnv(`${P}a`, "V=2"), { timeoutMs: 15_000, intervalMs: 50 });

    // A plain in-place edit.
    dir.write("a.yaml", appYaml(`${P}a`, { env: { V: "3" } }, SUITE_LABELS));
    await eventually(hasEnv(`${P}a`, "V=3"), { timeoutMs: 15_000, intervalMs: 50 });

    // Subdirectories, created with the file in them.
    dir.write("team/deep/b.yml", appYaml(`${P}b`, {}, SUITE_LABELS));
    await eventually(exists(`${P}b`), { timeoutMs: 15_000, intervalMs: 50 });
    dir.write("team/deep/b.yml", appYaml(`${P}b`, { env: { V: "b2" } }, SUITE_LABELS));
    await eventually(hasEnv(`${P}b`, "V=b2"), { timeoutMs: 15_000, intervalMs: 50 });

    // A rename that keeps it a manifest keeps the app; a rename to a non-manifest name removes it.
    renameSync(join(dir.path, "team/deep/b.yml"), join(dir.path, "team/b-renamed.yaml"));
    await eventually(
      async () => (await service(`${P}b`))?.Spec?.Labels?.["alacrity.file"] === "team/b-renamed.yaml",
      { timeoutMs: 15_000, intervalMs: 50 },
    );
    renameSync(join(dir.path, "a.yaml"), join(dir.path, "a.yaml.disabled"));
    await eventually(gone(`${P}a`), { timeoutMs: 15_000, intervalMs: 50 });

    dir.remove("team/b-renamed.yaml");
    await eventually(gone(`${P}b`), { timeoutMs: 15_000, intervalMs: 50 });
    expect(daemon.running).toBe(true);
  });

  it("follows a symlinked apps directory swapped atomically to a new checkout (git-sync)", async () => {
    const v1 = join(dir.path, "rev-1");
    const v2 = join(dir.path, "rev-2");
    mkdirSync(v1);
    mkdirSync(v2);
    writeFileSync(join(v1, "x.yaml"), appYaml(`${P}x`, { env: { REV: "1" } }, SUITE_LABELS));
    writeFileSync(join(v1, "y.yaml"), appYaml(`${P}y`, {}, SUITE_LABELS));
    writeFileSync(join(v2, "x.yaml"), appYaml(`${P}x`, { env: { REV: "2" } }, SUITE_LABELS));
    writeFileSync(join(v2, "z.yaml"), appYaml(`${P}z`, {}, SUITE_LABELS));
    const apps = join(dir.path, "apps");
    symlinkSync("rev-1", apps);

    const daemon = await spawnDaemon({ dir: apps, args: ["--resync", "3600"] });
    await eventually(async () => (await hasEnv(`${P}x`, "REV=1")()) && (await exists(`${P}y`)()), {
      timeoutMs: 30_000,
      intervalMs: 50,
    });

    // ln -s rev-2 tmp && mv -T tmp apps
    symlinkSync("rev-2", join(dir.path, "apps.tmp"));
    renameSync(join(dir.path, "apps.tmp"), apps);
    await eventually(
      async () => (await hasEnv(`${P}x`, "REV=2")()) && (await exists(`${P}z`)()) && (await gone(`${P}y`)()),
      { timeoutMs: 15_000, intervalMs: 50 },
    );
    expect(daemon.running).toBe(true);
  });

  it("keeps a file's last valid apps when it turns invalid, logs the error once with its position, and shows it in status", async () => {
    dir.write("svc.yaml", appYaml(`${P}inv`, { env: { V: "good" } }, SUITE_LABELS));
    const daemon = await spawnDaemon({ dir: dir.path, args: ["--resync", "3600"] });
    await waitForStatus(daemon, "/readyz", 200);
    await eventually(hasEnv(`${P}inv`, "V=good"), { timeoutMs: 15_000, intervalMs: 50 });

    // A typo in a field: line 8 is `  replicass: 2` (metadata has 3 lines of labels).
    const bad = `${appYaml(`${P}inv`, { env: { V: "bad" } }, SUITE_LABELS)}  replicass: 2\n`;
    dir.write("svc.yaml", bad);
    const badLine = bad.split("\n").findIndex((l) => l.includes("replicass")) + 1;
    const isError = (l: LogLine) =>
      typeof l.manifestError === "string" &&
      l.manifestError.startsWith(`${join(dir.path, "svc.yaml")}:${badLine}:`) &&
      l.manifestError.includes("replicass");
    const logged = await daemon.waitForLog(isError, 15_000);
    expect(logged.manifestError).toMatch(
      new RegExp(`svc\\.yaml:${badLine}:\\d+: spec\\.replicass: unknown field`),
    );

    // Other changes in the directory do not repeat the same error.
    dir.write("other.yaml", appYaml(`${P}other`, {}, SUITE_LABELS));
    await eventually(exists(`${P}other`), { timeoutMs: 15_000, intervalMs: 50 });
    dir.write("other.yaml", appYaml(`${P}other`, { env: { V: "2" } }, SUITE_LABELS));
    await eventually(hasEnv(`${P}other`, "V=2"), { timeoutMs: 15_000, intervalMs: 50 });
    expect(daemon.logs().filter(isError)).toHaveLength(1);

    // The app is kept as it last was, and both status views say why.
    const kept = await service(`${P}inv`);
    expect(envOf(kept)).toContain("V=good");
    const fromDaemon = JSON.parse((await daemon.get("/status")).body) as {
      apps: { name: string; state: string; reason: string }[];
    };
    const row = fromDaemon.apps.find((a) => a.name === `${P}inv`);
    expect(row).toMatchObject({ state: "invalid" });
    expect(row?.reason).toMatch(/unknown field; did you mean "replicas"\?; the running service is kept/);
    const cli = await runCli(["status", "--dir", dir.path, "--instance", INSTANCE, "--output", "json"]);
    expect(cli.code).toBe(0);
    const fromCli = JSON.parse(cli.stdout) as { apps: { name: string; state: string; reason: string }[] };
    expect(fromCli.apps.find((a) => a.name === `${P}inv`)).toMatchObject({
      state: "invalid",
      reason: row?.reason,
    });

    // A different error in the same file is a change: logged again, once.
    const bad2 = bad.replace("replicass", "replicaz");
    dir.write("svc.yaml", bad2);
    await daemon.waitForLog(
      (l) => typeof l.manifestError === "string" && l.manifestError.includes("replicaz"),
      15_000,
    );

    // Not even YAML any more (the app's name cannot be read): the service is still kept.
    dir.write("svc.yaml", "metadata: [unclosed\n  name: x\n");
    const syntax = await daemon.waitForLog(
      (l) =>
        typeof l.manifestError === "string" &&
        l.manifestError.startsWith(`${join(dir.path, "svc.yaml")}:`) &&
        !l.manifestError.includes("replica"),
      15_000,
    );
    expect(syntax.manifestError).toMatch(/svc\.yaml:\d+:\d+: /);
    // The positive control: a change elsewhere is applied by a pass that read the broken file too.
    dir.write("other.yaml", appYaml(`${P}other`, { env: { V: "3" } }, SUITE_LABELS));
    await eventually(hasEnv(`${P}other`, "V=3"), { timeoutMs: 15_000, intervalMs: 50 });
    expect(envOf(await service(`${P}inv`))).toContain("V=good");

    // Valid again: reconciled to the new content.
    dir.write("svc.yaml", appYaml(`${P}inv`, { env: { V: "fixed" } }, SUITE_LABELS));
    await eventually(hasEnv(`${P}inv`, "V=fixed"), { timeoutMs: 15_000, intervalMs: 50 });
    expect(daemon.logs().filter(isError)).toHaveLength(1);
    expect(
      daemon
        .logs()
        .filter((l) => typeof l.manifestError === "string" && l.manifestError.includes("replicaz")),
    ).toHaveLength(1);
  });

  it("turns a burst of 200 new files (a git checkout) into 200 apps with a bounded number of observe passes", async () => {
    const proxy = await startDockerProxy({ socketPath: join(dir.path, "proxy.sock") });
    try {
      const apps = join(dir.path, "apps");
      mkdirSync(apps);
      const daemon = await spawnDaemon({
        dir: apps,
        args: ["--resync", "3600"],
        env: { DOCKER_HOST: proxy.dockerHost },
      });
      await waitForStatus(daemon, "/readyz", 200);
      proxy.reset();

      const started = Date.now();
      for (let i = 0; i < 200; i++) {
        const name = `${P}burst-${String(i).padStart(3, "0")}`;
        writeFileSync(
          join(apps, `${String(i).padStart(3, "0")}.yaml`),
          appYaml(name, { replicas: 0 }, SUITE_LABELS),
        );
      }
      const all = await eventually(
        async () => {
          const list = await services(`${P}burst-`);
          return list.length === 200 ? list : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      const ms = Date.now() - started;
      expect(all.every((s) => s.Spec?.Mode?.Replicated?.Replicas === 0)).toBe(true);
      // Let the events of our own creates settle, then count.
      await new Promise((r) => setTimeout(r, 1500));
      const listCalls = proxy.requests.filter((r) => r.method === "GET" && r.path === "/services").length;
      const creates = proxy.requests.filter(
        (r) => r.method === "POST" && r.path === "/services/create",
      ).length;
      console.log(
        `[daemon burst] 200 files -> 200 apps in ${ms} ms; GET /services: ${listCalls}; creates: ${creates}`,
      );
      expect(creates).toBe(200);
      expect(listCalls).toBeLessThan(60);
    } finally {
      await killDaemons();
      await proxy.close();
    }
  });
});
