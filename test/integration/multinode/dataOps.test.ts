// Issue 19 on a real 3-node Swarm (node-1 manager, node-2 and node-3 workers), through the built
// CLI: `alacrity backup` and `alacrity restore` of a persistent app pinned to a worker, whose data
// is on that worker's disk only. The archive is written there by a one-shot job; changed data is
// put back; the app never runs twice, and only on its node.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { MultiNodeSwarm } from "../../harness/multiNodeSwarm.js";
import { startMultiNodeSwarm } from "../../harness/multiNodeSwarm.js";
import { runCli, type CliResult } from "../../support/cli.js";
import { AppsDir, HELPER_IMAGE, IMAGE, appYaml } from "../../support/manifests.js";
import type { BackupResult } from "../../../src/maintenance/backup.js";
import { runningTasks, watchRunningTasks } from "../../support/runningTasks.js";

const INSTANCE = "t-mnd";
const APP = "t-mnd-db";
const NODE = "node-2";
const BACKUPS = "/srv/backups";
const KEEP_DATA = "[ -f /data/v ] || echo one > /data/v; trap 'exit 0' TERM; sleep 3600 & wait";

const log = (message: string): void => console.log(`[multinode data] ${message}`);
const show = (r: CliResult): string => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;

let swarm: MultiNodeSwarm;
let dir: AppsDir;

function cli(args: string[]): Promise<CliResult> {
  return runCli(args, {
    env: { DOCKER_HOST: swarm.dockerHost, ALACRITY_INSTANCE: INSTANCE, ALACRITY_HELPER_IMAGE: HELPER_IMAGE },
    timeoutMs: 240_000,
  });
}

/** A shell command in a node's container (its own disk). */
async function onNode(hostname: string, script: string): Promise<string> {
  const result = await swarm.node(hostname).container.exec(["sh", "-c", script]);
  expect(result.exitCode, result.output).toBe(0);
  return result.output.trim();
}

const VOLUME = `/var/lib/docker/volumes/alacran--${APP}-data/_data`;

beforeAll(async () => {
  swarm = await startMultiNodeSwarm({ nodes: 3, workloadImages: [IMAGE, HELPER_IMAGE], log });
  dir = new AppsDir("alacrity-mnd");
  dir.write(
    "db.yaml",
    appYaml(APP, {
      persistent: true,
      node: NODE,
      command: ["sh", "-c", KEEP_DATA],
      volumes: [{ name: `${APP}-data`, containerPath: "/data" }],
    }),
  );
  const applied = await cli(["apply", "--dir", dir.path, "--wait", "--timeout", "120"]);
  expect(applied.code, show(applied)).toBe(0);
  await onNode(NODE, `mkdir -p ${BACKUPS}`);
}, 420_000);

afterAll(async () => {
  dir?.dispose();
  await swarm?.cleanup();
}, 120_000);

describe("backup and restore on a 3-node Swarm", () => {
  it("archives on the app's node, and a restore brings changed data back; the app never runs twice", async () => {
    const nodeId = swarm.node(NODE).nodeId;
    await onNode(NODE, `echo one > ${VOLUME}/v; head -c 1048576 /dev/urandom > ${VOLUME}/blob`);
    const blobSum = await onNode(NODE, `sha256sum ${VOLUME}/blob | cut -d' ' -f1`);

    const watch = watchRunningTasks(swarm.docker, APP);
    const backup = await cli(["backup", APP, "--backup-dir", BACKUPS, "--output", "json"]);
    expect(backup.code, show(backup)).toBe(0);
    const { archive, downtimeMs } = JSON.parse(backup.stdout) as BackupResult;
    expect(archive.hostname).toBe(NODE);
    // The archive is on node-2's disk, whole, and its checksum file agrees.
    expect(await onNode(NODE, `wc -c < ${archive.path}`)).toBe(String(archive.bytes));
    expect(
      await onNode(NODE, `cd ${BACKUPS} && sha256sum -c ${archive.path.slice(BACKUPS.length + 1)}.sha256`),
    ).toContain(": OK");
    for (const other of ["node-1", "node-3"])
      expect(await onNode(other, `ls ${BACKUPS} 2>/dev/null | wc -l`)).toBe("0");
    log(
      `backup: ${archive.bytes} bytes for 1 MiB of random data, out of service ${(downtimeMs / 1000).toFixed(1)} s`,
    );

    await onNode(NODE, `echo two > ${VOLUME}/v; echo extra > ${VOLUME}/added; rm ${VOLUME}/blob`);
    const restore = await cli(["restore", APP, archive.path]);
    expect(restore.code, show(restore)).toBe(0);
    const seen = (await watch.stop()).map((tasks) => tasks.map((t) => t.NodeID ?? ""));

    expect(await onNode(NODE, `cat ${VOLUME}/v`)).toBe("one");
    expect(await onNode(NODE, `ls ${VOLUME}`)).toBe("blob\nv");
    expect(await onNode(NODE, `sha256sum ${VOLUME}/blob | cut -d' ' -f1`)).toBe(blobSum);
    // Never two tasks at once, only ever on its node, stopped for each operation, running after.
    expect(Math.max(...seen.map((s) => s.length))).toBe(1);
    expect(new Set(seen.flat())).toEqual(new Set([nodeId]));
    expect(seen.some((s) => s.length === 0)).toBe(true);
    const after = await runningTasks(swarm.docker, APP);
    expect(after.map((t) => t.NodeID)).toEqual([nodeId]);
  }, 420_000);
});
