import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startCli } from "../../support/cli.js";
import type { CliResult } from "../../support/cli.js";
import { AppsDir, appYaml, HELPER_IMAGE } from "../../support/manifests.js";
import { eventually } from "../../support/poll.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";
import type { BackupResult } from "../../../src/maintenance/backup.js";
import type { RestoreResult } from "../../../src/maintenance/restore.js";
import { watchRunningTasks } from "../../support/runningTasks.js";

/*
 * Issue 19, `alacrity backup` and `alacrity restore` on the real Swarm: a persistent app with a
 * volume and a host directory is stopped, archived on its node by a one-shot job and started
 * again; changed data is put back by a restore, which keeps the data as it was; the app never
 * runs twice. Refused: an archive of another app, a damaged one. A backup killed while the app
 * is stopped leaves it stopped and marked, and running the command again finishes.
 */

const INSTANCE = "t-bk";
const P = "t-bk-";
const APP = `${P}db`;
const OTHER = `${P}other`;
const docker = newDocker();
const hostRoot = mkdtempSync(join(tmpdir(), "alacrity-bk-"));
const files = join(hostRoot, "files");
const backups = join(hostRoot, "backups");
let dir: AppsDir;

/** Writes once: what the test puts in the volume later is not overwritten by a restart. */
const KEEP_DATA = "[ -f /data/v ] || echo one > /data/v; trap 'exit 0' TERM; sleep 3600 & wait";

const env = { ALACRITY_HELPER_IMAGE: HELPER_IMAGE, ALACRITY_INSTANCE: INSTANCE };
const show = (r: CliResult): string => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;
const cli = (args: string[], timeoutMs = 180_000) => runCli(args, { env, timeoutMs });
const apply = () =>
  cli(["apply", "--dir", dir.path, "--allow-host-path", hostRoot, "--wait", "--timeout", "90"]);
const policy = ["--allow-host-path", hostRoot];

async function volumeDir(name: string): Promise<string> {
  const info = (await docker.getVolume(`alacran--${name}`).inspect()) as { Mountpoint: string };
  return info.Mountpoint;
}

interface Row {
  name: string;
  state: string;
  running: number;
}
async function statusRow(app: string): Promise<Row | undefined> {
  const status = await cli(["status", "--output", "json"]);
  return (JSON.parse(status.stdout) as { apps: Row[] }).apps.find((a) => a.name === app);
}

const sha256 = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

beforeAll(async () => {
  await cleanupSuite(docker, INSTANCE, P);
  mkdirSync(files, { recursive: true });
  mkdirSync(backups, { recursive: true });
  dir = new AppsDir("alacrity-bk");
  dir.write(
    "db.yaml",
    appYaml(APP, {
      persistent: true,
      command: ["sh", "-c", KEEP_DATA],
      volumes: [
        { name: `${P}data`, containerPath: "/data" },
        { hostPath: files, containerPath: "/files" },
      ],
    }),
  );
  dir.write(
    "other.yaml",
    appYaml(OTHER, {
      persistent: true,
      command: ["sh", "-c", KEEP_DATA],
      volumes: [{ name: `${P}other-data`, containerPath: "/data" }],
    }),
  );
  const applied = await apply();
  expect(applied.code, show(applied)).toBe(0);
}, 180_000);

afterAll(async () => {
  await cleanupSuite(docker, INSTANCE, P);
  dir.dispose();
  rmSync(hostRoot, { recursive: true, force: true });
}, 120_000);

describe("alacrity backup and restore", () => {
  let archive: BackupResult["archive"];

  it("archives the stopped app's volume and host directory with a checksum, and starts it again", async () => {
    const data = await volumeDir(`${P}data`);
    writeFileSync(join(data, "v"), "one\n");
    writeFileSync(join(files, "h"), "one\n");

    const watch = watchRunningTasks(docker, APP);
    const busy = cli(["backup", APP, "--backup-dir", backups, ...policy, "--output", "json"]);
    // While it runs, a plan leaves the app alone and says why.
    const planned = await eventually(
      async () => {
        const r = await cli(["plan", "--dir", dir.path, ...policy, "--output", "json"]);
        const doc = JSON.parse(r.stdout) as {
          busy: { app: string; message: string }[];
          actions: { app: string }[];
        };
        expect(doc.busy.map((b) => b.app)).toEqual([APP]);
        return doc;
      },
      { timeoutMs: 60_000, what: "a plan that shows the app busy" },
    );
    expect(planned.actions.map((a) => a.app)).not.toContain(APP);
    expect(planned.busy[0]?.message).toContain(`stopped by \`alacrity backup ${APP}\``);

    const result = await busy;
    const seen = (await watch.stop()).map((tasks) => tasks.length);
    expect(result.code, show(result)).toBe(0);
    expect(Math.max(...seen)).toBe(1);
    expect(seen).toContain(0);

    const doc = JSON.parse(result.stdout) as BackupResult;
    archive = doc.archive;
    expect(archive.path.startsWith(`${backups}/${APP}--`)).toBe(true);
    expect(readFileSync(archive.path).length).toBe(archive.bytes);
    expect(sha256(archive.path)).toBe(archive.sha256);
    const name = archive.path.slice(backups.length + 1);
    expect(readFileSync(`${archive.path}.sha256`, "utf8")).toBe(`${archive.sha256}  ${name}\n`);
    expect(result.stderr).toMatch(/stopped t-bk-db \(\d+\.\d s\)/);
    expect(result.stderr).toContain(
      `archived 1 volume(s) (alacran--${P}data) and 1 host directory(ies) (${files})`,
    );
    console.log(`backup: ${archive.bytes} bytes, out of service ${(doc.downtimeMs / 1000).toFixed(1)} s`);

    const row = await statusRow(APP);
    expect(row?.state).toBe("running");
  }, 240_000);

  it("puts the archive back: changed files as they were, added ones gone; the data before is kept", async () => {
    const data = await volumeDir(`${P}data`);
    writeFileSync(join(data, "v"), "two\n");
    writeFileSync(join(data, "added"), "x\n");
    writeFileSync(join(files, "h"), "two\n");

    const watch = watchRunningTasks(docker, APP);
    const result = await cli(["restore", APP, archive.path, ...policy, "--output", "json"]);
    const seen = (await watch.stop()).map((tasks) => tasks.length);
    expect(result.code, show(result)).toBe(0);
    expect(Math.max(...seen)).toBe(1);
    expect(seen).toContain(0);

    expect(readFileSync(join(data, "v"), "utf8")).toBe("one\n");
    expect(readdirSync(data).sort()).toEqual(["v"]);
    expect(readFileSync(join(files, "h"), "utf8")).toBe("one\n");
    const doc = JSON.parse(result.stdout) as RestoreResult;
    expect(doc.safetyCopy.path).toMatch(/--before-restore\.tar\.gz$/);
    expect(sha256(doc.safetyCopy.path)).toBe(doc.safetyCopy.sha256);
    console.log(`restore: out of service ${(doc.downtimeMs / 1000).toFixed(1)} s`);
  }, 240_000);

  it("refuses another app's archive and a damaged one, changing nothing and leaving the app running", async () => {
    const data = await volumeDir(`${P}data`);
    writeFileSync(join(data, "v"), "kept\n");
    const other = await cli(["backup", OTHER, "--backup-dir", backups, ...policy, "--output", "json"]);
    expect(other.code, show(other)).toBe(0);
    const otherArchive = (JSON.parse(other.stdout) as BackupResult).archive.path;

    const foreign = await cli(["restore", APP, otherArchive, ...policy]);
    expect(foreign.code, show(foreign)).toBe(1);
    expect(foreign.stderr).toContain(
      `the archive holds volume alacran--${P}other-data, which is not this app's`,
    );

    const damaged = join(backups, "damaged.tar.gz");
    writeFileSync(damaged, readFileSync(archive.path));
    writeFileSync(`${damaged}.sha256`, `${"0".repeat(64)}  damaged.tar.gz\n`);
    const bad = await cli(["restore", APP, damaged, ...policy]);
    expect(bad.code, show(bad)).toBe(1);
    expect(bad.stderr).toContain("does not match its checksum");

    expect(readFileSync(join(data, "v"), "utf8")).toBe("kept\n");
    const row = await statusRow(APP);
    expect(row?.state).toBe("running");
  }, 300_000);

  it("a backup killed while the app is stopped leaves it marked; the same command again finishes", async () => {
    // Enough data that the archive takes a moment: the kill lands while the app is stopped.
    writeFileSync(join(await volumeDir(`${P}data`), "blob"), randomBytes(40 * 1024 * 1024));
    const child = startCli(["backup", APP, "--backup-dir", backups, ...policy], env);
    // Killed while its archive job runs: the app is stopped and the job is there.
    await eventually(
      async () => {
        expect(child.code(), child.output()).toBeNull();
        const jobs = await docker.listServices({
          filters: JSON.stringify({ label: [`alacrity.app=${APP}`, "alacrity.job"] }),
        });
        return child.output().includes(`stopped ${APP}`) && jobs.length === 1;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 50,
        what: () => `the backup to stop the app and start its job (exit ${child.code()}; ${child.output()})`,
      },
    );
    await child.kill();

    const status = await cli(["status", "--output", "json"]);
    const row = (
      JSON.parse(status.stdout) as { apps: { name: string; state: string; running: number }[] }
    ).apps.find((a) => a.name === APP);
    expect(row).toMatchObject({ state: "maintenance", running: 0 });
    // A controller's apply leaves it stopped meanwhile.
    const applied = await cli(["apply", "--dir", dir.path, ...policy]);
    expect(applied.stdout).toContain(`= ${APP} busy: stopped by \`alacrity backup ${APP}\``);

    const again = await cli(["backup", APP, "--backup-dir", backups, ...policy]);
    expect(again.code, show(again)).toBe(0);
    expect(again.stderr).toContain(`resuming the unfinished backup of ${APP}`);
    expect(again.stderr).toContain("removed 1 job(s) a killed command had left");
    expect(again.stdout).toContain(`Backed up ${APP}`);
    const back = await statusRow(APP);
    expect(back?.state).toBe("running");
    const configs = (await docker.listConfigs()) as { Spec?: { Name?: string } }[];
    expect(configs.map((c) => c.Spec?.Name)).not.toContain(`alacrity-maintenance--${APP}`);
    const jobs = await docker.listServices({
      filters: JSON.stringify({ label: [`alacrity.app=${APP}`, "alacrity.job"] }),
    });
    expect(jobs).toEqual([]);
  }, 300_000);
  it("apply backs the app up before an update that restarts it, when its manifest asks, and never updates without", async () => {
    dir.write(
      "db.yaml",
      appYaml(
        APP,
        {
          persistent: true,
          command: ["sh", "-c", KEEP_DATA],
          env: { MIGRATION: "2" },
          volumes: [
            { name: `${P}data`, containerPath: "/data" },
            { hostPath: files, containerPath: "/files" },
          ],
        },
        { annotations: { "alacrity.dev/backup-before-update": "true" } },
      ),
    );
    const envOf = async (): Promise<string[]> => {
      const info = (await docker.getService(APP).inspect()) as {
        Spec: { TaskTemplate: { ContainerSpec: { Env?: string[] } } };
      };
      return info.Spec.TaskTemplate.ContainerSpec.Env ?? [];
    };
    const archives = (): string[] =>
      readdirSync(backups).filter((f) => f.endsWith(".tar.gz") && f.startsWith(`${APP}--`));

    const planned = await cli(["plan", "--dir", dir.path, ...policy]);
    expect(planned.stdout).toContain("backup first: yes (alacrity.dev/backup-before-update)");

    const without = await cli(["apply", "--dir", dir.path, ...policy]);
    expect(without.code, show(without)).toBe(1);
    expect(without.stdout).toContain("no backup directory is set: give --backup-dir");
    expect(await envOf()).not.toContain("MIGRATION=2");

    const before = archives().length;
    const applied = await runCli(["apply", "--dir", dir.path, ...policy, "--wait", "--timeout", "90"], {
      env: { ...env, ALACRITY_BACKUP_DIR: backups },
      timeoutMs: 240_000,
    });
    expect(applied.code, show(applied)).toBe(0);
    expect(applied.stderr).toContain(`${APP}: backed up before its update: ${backups}/${APP}--`);
    expect(archives().length).toBe(before + 1);
    expect(await envOf()).toContain("MIGRATION=2");
    expect((await statusRow(APP))?.state).toBe("running");
  }, 300_000);
});
