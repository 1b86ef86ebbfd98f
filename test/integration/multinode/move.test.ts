// Issue 19 on a real 3-node Swarm (node-1 manager, node-2 and node-3 workers), through the built
// CLI: `alacrity move` takes a persistent app and its data from one node to another. The data is
// on each node's own disk (each node is its own Docker engine), so only the copy can bring it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { MultiNodeSwarm } from "../../harness/multiNodeSwarm.js";
import { startMultiNodeSwarm } from "../../harness/multiNodeSwarm.js";
import { runCli, startCli, type CliResult } from "../../support/cli.js";
import { AppsDir, HELPER_IMAGE, appYaml } from "../../support/manifests.js";
import { eventually } from "../../support/poll.js";
import type { MoveResult } from "../../../src/maintenance/move.js";
import type { DataInventory } from "../../../src/reconcile/inventory.js";
import { serviceLogs } from "../../../src/swarm/serviceLogs.js";
import { runningTasks, type RunningTask } from "../../support/runningTasks.js";

const INSTANCE = "t-mv";
const APP = "t-mv-db";
const VOLUME = `alacran--${APP}-data`;
const VOLUME_DIR = `/var/lib/docker/volumes/${VOLUME}/_data`;
// The app marks its first start in its volume, and says on every start what it finds there.
const APP_SCRIPT =
  "[ -f /data/first ] || echo first-start > /data/first; " +
  'echo "found $(cat /data/first) $(sha256sum /data/blob | cut -c1-64)"; ' +
  "trap 'exit 0' TERM; sleep 3600 & wait";

const log = (message: string): void => console.log(`[multinode move] ${message}`);
const show = (r: CliResult): string => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;

let swarm: MultiNodeSwarm;
let dir: AppsDir;
const env = (): NodeJS.ProcessEnv => ({
  DOCKER_HOST: swarm.dockerHost,
  ALACRITY_INSTANCE: INSTANCE,
  ALACRITY_HELPER_IMAGE: HELPER_IMAGE,
});

const cli = (args: string[]): Promise<CliResult> => runCli(args, { env: env(), timeoutMs: 300_000 });

async function onNode(hostname: string, script: string): Promise<string> {
  const result = await swarm.node(hostname).container.exec(["sh", "-c", script]);
  expect(result.exitCode, `${hostname}: ${script}\n${result.output}`).toBe(0);
  return result.output.trim();
}

const manifest = (node: string): string =>
  appYaml(APP, {
    persistent: true,
    node,
    image: HELPER_IMAGE,
    command: ["sh", "-c", APP_SCRIPT],
    volumes: [{ name: `${APP}-data`, containerPath: "/data" }],
  });

const running = (): Promise<RunningTask[]> => runningTasks(swarm.docker, APP);

/** The node the app's one running task is on, once it has said what it found there. */
async function runsOn(hostname: string, blobSum: string): Promise<void> {
  const nodeId = swarm.node(hostname).nodeId;
  await eventually(
    async () => {
      const tasks = await running();
      if (tasks.length !== 1 || tasks[0]?.NodeID !== nodeId) return false;
      const logs = await serviceLogs(swarm.docker, APP);
      return logs.split("\n").some((l) => l.includes(`found first-start ${blobSum}`)) && logs;
    },
    { timeoutMs: 120_000, what: () => `${APP} running on ${hostname} with its data` },
  );
}

beforeAll(async () => {
  swarm = await startMultiNodeSwarm({ nodes: 3, workloadImages: [HELPER_IMAGE], log });
  dir = new AppsDir("alacrity-mv");
  dir.write("db.yaml", manifest("node-1"));
  const applied = await cli(["apply", "--dir", dir.path, "--wait", "--timeout", "120"]);
  expect(applied.code, show(applied)).toBe(0);
}, 420_000);

afterAll(async () => {
  dir?.dispose();
  await swarm?.cleanup();
}, 120_000);

describe("alacrity move on a 3-node Swarm", () => {
  let blobSum = "";

  it("moves 100 MB from node-1 to node-2, verified; the old volume stays, listed with its delete command", async () => {
    // 100 MB written on node-1's disk, then the app restarted so that it reads it there first.
    await onNode("node-1", `head -c 104857600 /dev/urandom > ${VOLUME_DIR}/blob`);
    blobSum = await onNode("node-1", `sha256sum ${VOLUME_DIR}/blob | cut -c1-64`);
    const service = (await swarm.docker.getService(APP).inspect()) as {
      Version: { Index: number };
      Spec: { TaskTemplate: Record<string, unknown> };
    };
    await swarm.docker.getService(APP).update({
      ...service.Spec,
      version: service.Version.Index,
      TaskTemplate: { ...service.Spec.TaskTemplate, ForceUpdate: 1 },
    });
    await runsOn("node-1", blobSum);
    expect(await onNode("node-2", `ls /var/lib/docker/volumes | grep -c ${VOLUME} || true`)).toBe("0");

    const began = Date.now();
    const moved = await cli(["move", APP, "--to", "node-2", "--output", "json"]);
    const seconds = (Date.now() - began) / 1000;
    expect(moved.code, show(moved)).toBe(0);
    const result = JSON.parse(moved.stdout) as MoveResult;
    expect(result.from.hostname).toBe("node-1");
    expect(result.to.hostname).toBe("node-2");
    expect(result.copy?.dataBytes).toBeGreaterThanOrEqual(104857600);
    expect(result.copy?.files).toBe(2);
    // One line per step on a pipe, no progress bar.
    expect(moved.stderr).toContain(`pinned ${APP} to node-2`);
    expect(moved.stderr).not.toContain("copying [");
    log(
      `move of 100 MB: ${seconds.toFixed(1)} s in all, out of service ${(result.downtimeMs / 1000).toFixed(1)} s, stream ${result.copy?.bytes} bytes`,
    );

    // The same app reads the data on node-2: its first-start mark from node-1 and the blob.
    await runsOn("node-2", blobSum);
    expect(await onNode("node-2", `sha256sum ${VOLUME_DIR}/blob | cut -c1-64`)).toBe(blobSum);
    // The source is untouched.
    expect(await onNode("node-1", `sha256sum ${VOLUME_DIR}/blob | cut -c1-64`)).toBe(blobSum);
    expect(await onNode("node-1", `cat ${VOLUME_DIR}/first`)).toBe("first-start");

    const data = await cli(["data", "--output", "json"]);
    expect(data.code, show(data)).toBe(0);
    const entries = (JSON.parse(data.stdout) as DataInventory).entries.filter((e) => e.app === APP);
    const left = entries.find((e) => e.hostname === "node-1" && e.name === VOLUME);
    expect(left?.inUse).toBe(false);
    expect(left?.deleteCommands?.[0]).toMatchObject({ on: "node", node: "node-1" });
    expect(left?.deleteCommands?.[0]?.command).toContain(`docker volume rm ${VOLUME}`);
    expect(entries.find((e) => e.hostname === "node-2" && e.name === VOLUME)?.inUse).toBe(true);

    // The manifest updated as the command says: applying it replaces no task, and then there is
    // nothing left to do.
    const task = (await running())[0]?.ID;
    dir.write("db.yaml", manifest("node-2"));
    const plan = await cli(["plan", "--dir", dir.path, "--output", "json"]);
    const actions = (JSON.parse(plan.stdout) as { actions: { kind: string; restarts?: boolean }[] }).actions;
    expect(
      actions.map((a) => [a.kind, a.restarts]),
      show(plan),
    ).toEqual([["update", false]]);
    const applied = await cli(["apply", "--dir", dir.path, "--wait", "--timeout", "120"]);
    expect(applied.code, show(applied)).toBe(0);
    const after = await cli(["plan", "--dir", dir.path]);
    expect(after.code, show(after)).toBe(0);
    expect((await running()).map((t) => t.ID)).toEqual([task]);
  }, 600_000);

  it("refuses, before stopping anything, a node whose volume holds data, and the node it is on", async () => {
    const before = (await running()).map((t) => t.ID);
    expect(before).toHaveLength(1);
    const back = await cli(["move", APP, "--to", "node-1"]);
    expect(back.code, show(back)).toBe(1);
    expect(back.stderr).toContain(`node-1 already has data in volume ${VOLUME}`);
    const same = await cli(["move", APP, "--to", "node-2"]);
    expect(same.code, show(same)).toBe(1);
    expect(same.stderr).toContain("already pinned to node-2");
    const unknown = await cli(["move", APP, "--to", "node-9"]);
    expect(unknown.code, show(unknown)).toBe(1);
    expect(unknown.stderr).toContain("no node of this Swarm has that hostname or ID");
    // The app was never stopped: the same task runs.
    expect((await running()).map((t) => t.ID)).toEqual(before);
  }, 300_000);

  it("killed with SIGKILL in the middle of the copy, the same command again finishes: the app runs on one node with all its data", async () => {
    const child = startCli(["move", APP, "--to", "node-3"], env());
    // Both ends of the copy are running: the sending job on node-2, the receiving one on node-3.
    await eventually(
      async () => {
        expect(child.code(), child.output()).toBeNull();
        const jobs = await swarm.docker.listServices({
          filters: JSON.stringify({ label: [`alacrity.app=${APP}`, "alacrity.job=copy"] }),
        });
        return child.output().includes(`stopped ${APP}`) && jobs.length === 2;
      },
      {
        timeoutMs: 180_000,
        intervalMs: 50,
        what: () => `the copy to begin (exit ${child.code()}; ${child.output()})`,
      },
    );
    await child.kill();
    log(`killed mid-copy; its output: ${child.output().trim().replace(/\n/g, " | ")}`);
    expect(await running()).toHaveLength(0);

    const again = await cli(["move", APP, "--to", "node-3"]);
    expect(again.code, show(again)).toBe(0);
    expect(again.stderr).toContain(`resuming the unfinished move of ${APP}`);
    expect(again.stderr).toContain("removed 2 job(s) a killed command had left");
    await runsOn("node-3", blobSum);
    expect(await onNode("node-3", `sha256sum ${VOLUME_DIR}/blob | cut -c1-64`)).toBe(blobSum);
    // Its old node keeps its data, and nothing is left running or recorded.
    expect(await onNode("node-2", `sha256sum ${VOLUME_DIR}/blob | cut -c1-64`)).toBe(blobSum);
    const leftovers = await swarm.docker.listServices({
      filters: JSON.stringify({ label: [`alacrity.app=${APP}`, "alacrity.job"] }),
    });
    expect(leftovers).toEqual([]);
    const configs = await swarm.docker.listConfigs({
      filters: JSON.stringify({ name: [`alacrity-maintenance--${APP}`] }),
    });
    expect(configs).toEqual([]);
    log(`rerun after the kill:\n${again.stderr}${again.stdout}`);
  }, 600_000);

  describe("an app whose data is a host directory", () => {
    const FILES = "t-mv-files";
    const PATH = `/srv/${FILES}`;
    const filesManifest = (node: string): string =>
      appYaml(FILES, {
        persistent: true,
        node,
        image: HELPER_IMAGE,
        command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"],
        volumes: [{ hostPath: PATH, containerPath: "/files" }],
      });
    const filesTasks = (): Promise<RunningTask[]> => runningTasks(swarm.docker, FILES);
    const digest = `cd ${PATH} && find . -type f -exec sha256sum {} + | sort -k 2 | sha256sum | cut -c1-64`;
    let sum = "";

    it("moves it to the same path on the new node, which must exist there; owners and modes come along", async () => {
      await onNode(
        "node-1",
        `mkdir -p ${PATH}/private && head -c 1048576 /dev/urandom > ${PATH}/blob && echo hi > ${PATH}/private/note && chown -R 999:999 ${PATH}/private && chmod 700 ${PATH}/private`,
      );
      sum = await onNode("node-1", digest);
      dir.write("db.yaml", manifest("node-3"));
      dir.write("files.yaml", filesManifest("node-1"));
      const applied = await cli(["apply", "--dir", dir.path, "--wait", "--timeout", "120"]);
      expect(applied.code, show(applied)).toBe(0);
      const before = (await filesTasks()).map((t) => t.ID);
      expect(before).toHaveLength(1);

      const missing = await cli(["move", FILES, "--to", "node-2"]);
      expect(missing.code, show(missing)).toBe(1);
      expect(missing.stderr).toContain(`a host directory of ${FILES} does not exist on node-2`);
      expect((await filesTasks()).map((t) => t.ID)).toEqual(before);

      await onNode("node-2", `mkdir -p ${PATH}`);
      const moved = await cli(["move", FILES, "--to", "node-2"]);
      expect(moved.code, show(moved)).toBe(0);
      expect(moved.stdout).toContain(`Moved ${FILES} from node-1 to node-2`);
      expect(await onNode("node-2", digest)).toBe(sum);
      expect(await onNode("node-2", `stat -c '%u:%g %a' ${PATH}/private`)).toBe("999:999 700");
      expect(await onNode("node-1", digest)).toBe(sum);
      const tasks = await filesTasks();
      expect(tasks.map((t) => t.NodeID)).toEqual([swarm.node("node-2").nodeId]);
    }, 600_000);

    it("a node lost in the middle of the copy: the move fails and the app runs on its old node with its data", async () => {
      // Enough data that the copy is still running when node-3 stops.
      await onNode("node-2", `head -c 314572800 /dev/urandom > ${PATH}/big`);
      sum = await onNode("node-2", digest);
      await onNode("node-3", `mkdir -p ${PATH}`);
      const child = startCli(["move", FILES, "--to", "node-3", "--timeout", "40"], env());
      await eventually(
        async () => {
          const jobs = await swarm.docker.listServices({
            filters: JSON.stringify({ label: [`alacrity.app=${FILES}`, "alacrity.job=copy"] }),
          });
          return child.output().includes(`stopped ${FILES}`) && jobs.length === 2;
        },
        { timeoutMs: 180_000, intervalMs: 50, what: () => `the copy to begin (${child.output()})` },
      );
      await swarm.stopNode("node-3", 0);
      await eventually(() => child.code() !== null, {
        timeoutMs: 300_000,
        what: () => `the move to give up (${child.output()})`,
      });
      log(`node-3 stopped mid-copy; the move said:\n${child.output()}`);
      expect(child.code(), child.output()).toBe(1);
      expect(child.output()).toContain(`started ${FILES} again on node-2`);
      const tasks = await filesTasks();
      expect(tasks.map((t) => t.NodeID)).toEqual([swarm.node("node-2").nodeId]);
      expect(await onNode("node-2", digest)).toBe(sum);
      const data = await cli(["data", "--output", "json"]);
      const live = (JSON.parse(data.stdout) as DataInventory).entries.filter(
        (e) => e.app === FILES && e.inUse,
      );
      expect(live.map((e) => e.hostname)).toEqual(["node-2"]);
      await swarm.startNode("node-3");
    }, 600_000);
  });
});
