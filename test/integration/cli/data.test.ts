import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../support/cli.js";
import { AppsDir, appYaml } from "../../support/manifests.js";
import { eventually } from "../../support/poll.js";
import { cleanupSuite, newDocker } from "../../support/swarmCleanup.js";
import type { DataInventory } from "../../../src/reconcile/inventory.js";

/*
 * Issue 19, `alacrity data` on the real Swarm: a persistent app writes into its volume and its
 * host directory; the inventory lists both in use, with the volume's size. Once the app is
 * removed, both are listed as left behind with the commands that delete them; run as printed,
 * those commands leave nothing for the inventory to list.
 */

const INSTANCE = "t-data";
const P = "t-data-";
const APP = `${P}db`;
const docker = newDocker();
const run = promisify(execFile);
const hostRoot = mkdtempSync(join(tmpdir(), "alacrity-data-"));
const hostDir = join(hostRoot, "dumps");
let dir: AppsDir;

const cli = (...args: string[]) => runCli([...args, "--instance", INSTANCE]);
const apply = (...args: string[]) =>
  cli("apply", "--dir", dir.path, "--allow-host-path", hostRoot, "--wait", "--timeout", "90", ...args);

async function data(): Promise<DataInventory> {
  const result = await runCli(["data", "--output", "json"]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as DataInventory;
}
const ours = (inv: DataInventory) => inv.entries.filter((e) => e.app === APP);

beforeAll(async () => {
  await cleanupSuite(docker, INSTANCE, P);
  dir = new AppsDir("alacrity-data");
  await run("mkdir", ["-p", hostDir]);
}, 120_000);

afterAll(async () => {
  await cleanupSuite(docker, INSTANCE, P);
  dir.dispose();
  rmSync(hostRoot, { recursive: true, force: true });
}, 120_000);

describe("alacrity data", () => {
  it("lists a live app's data, then what its removal left behind, and nothing once the printed commands ran", async () => {
    dir.write(
      "db.yaml",
      appYaml(APP, {
        persistent: true,
        command: [
          "sh",
          "-c",
          "head -c 300000 /dev/zero > /data/blob; echo dump > /dumps/d; trap 'exit 0' TERM; sleep 3600 & wait",
        ],
        volumes: [
          { name: `${P}data`, containerPath: "/data" },
          { hostPath: hostDir, containerPath: "/dumps" },
        ],
      }),
    );
    // Another app stays, so removing the database is not an empty directory.
    dir.write("web.yaml", appYaml(`${P}web`, { replicas: 0 }));
    const applied = await apply();
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);

    const hostname = ((await docker.info()) as { Name: string }).Name;
    const live = ours(await data());
    expect(live.map((e) => [e.kind, e.name, e.appExists, e.inUse, e.hostname, e.nodeState])).toEqual([
      ["volume", `alacran--${P}data`, true, true, hostname, "ready"],
      ["host-path", hostDir, true, true, hostname, "ready"],
    ]);
    expect(live[0]?.sizeBytes).toBeGreaterThanOrEqual(300_000);
    expect(live.some((e) => e.deleteCommands)).toBe(false);
    const table = await runCli(["data"]);
    expect(table.stdout).toMatch(
      new RegExp(`${APP}\\s+${hostname} \\(\\w+\\)\\s+volume alacran--${P}data\\s+\\d`),
    );

    dir.remove("db.yaml");
    const removed = await apply();
    expect(removed.code, removed.stdout + removed.stderr).toBe(0);
    const left = ours(await data());
    expect(left.map((e) => [e.name, e.appExists, e.inUse])).toEqual([
      [`alacran--${P}data`, false, false],
      [hostDir, false, false],
    ]);
    const commands = left.flatMap((e) => e.deleteCommands ?? []);
    expect(commands.map((c) => c.command)).toEqual([
      `docker volume rm alacran--${P}data`,
      `rm -rf -- ${hostDir}`,
      `docker config rm alacrity-pin--${APP}`,
    ]);
    const text = (await runCli(["data"])).stdout;
    expect(text).toContain("removed: left behind");
    expect(text).toContain(`    on ${hostname}: docker volume rm alacran--${P}data`);

    // Swarm removes the service's container a moment after the service: until then Docker
    // refuses to remove a volume in use, as it would for the user.
    await eventually(
      async () =>
        (await docker.listContainers({ all: true, filters: { volume: [`alacran--${P}data`] } })).length ===
          0 || undefined,
      { what: "the removed app's container to be gone", timeoutMs: 60_000 },
    );
    // On this one-node Swarm the node is this machine and the manager is its engine.
    for (const c of commands) await run("sh", ["-c", c.command]);
    const after = await data();
    expect(ours(after)).toEqual([]);
    expect(after.releases.filter((r) => r.app === APP)).toEqual([]);
  }, 300_000);
});
