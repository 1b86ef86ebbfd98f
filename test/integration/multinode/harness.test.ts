// Proves the multi-node Swarm harness (test/harness/multiNodeSwarm.ts) against real
// Docker-in-Docker nodes: the Swarm forms, tasks run on every node, a stopped node is marked
// down and its work moves, and cleanup leaves nothing behind on the host engine.
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { MULTINODE_LABEL_FILTER, OWNER_PID_LABEL_KEY } from "../../harness/labels.js";
import type { MultiNodeSwarm } from "../../harness/multiNodeSwarm.js";
import { startMultiNodeSwarm } from "../../harness/multiNodeSwarm.js";
import { eventually } from "../../support/poll.js";

const IMAGE = "alacrity-test/busybox:1";
const PREFIX = "t-mn-harness-";
/** Three replicas, at most one per node: a task on every node. */
const SPREAD = `${PREFIX}spread`;
/** Three replicas, at most two per node: room to move when a node goes down. */
const MOVABLE = `${PREFIX}movable`;

interface Task {
  ID: string;
  NodeID?: string;
  Status: { State: string; Err?: string; Message?: string };
}

const log = (message: string): void => console.log(`[multinode] ${message}`);

let swarm: MultiNodeSwarm;

beforeAll(async () => {
  swarm = await startMultiNodeSwarm({ nodes: 3, workloadImages: [IMAGE], log });
}, 300_000);

afterAll(async () => {
  await swarm?.cleanup();
}, 120_000);

async function createSleeper(name: string, maxReplicasPerNode: number): Promise<void> {
  await swarm.docker.createService({
    Name: name,
    Labels: { "alacrity.test": "multinode-harness" },
    TaskTemplate: {
      ContainerSpec: { Image: IMAGE, Command: ["sleep", "3600"] },
      Placement: { MaxReplicas: maxReplicasPerNode },
    },
    Mode: { Replicated: { Replicas: 3 } },
  });
}

async function tasksOf(service: string): Promise<Task[]> {
  const filters = JSON.stringify({ service: [service], "desired-state": ["running"] });
  return (await swarm.docker.listTasks({ filters })) as Task[];
}

function hostnameOf(nodeId: string | undefined): string {
  return swarm.nodes.find((n) => n.nodeId === nodeId)?.hostname ?? `unknown node ${String(nodeId)}`;
}

/** Waits until `count` tasks of the service run, and returns the hostnames they run on, sorted. */
async function waitForRunningTasks(service: string, count: number, timeoutMs: number): Promise<string[]> {
  return eventually(
    async () => {
      const running = (await tasksOf(service)).filter((t) => t.Status.State === "running");
      return running.length === count ? running.map((t) => hostnameOf(t.NodeID)).sort() : undefined;
    },
    { timeoutMs, what: `${count} running tasks of ${service}` },
  );
}

describe("a multi-node Docker-in-Docker Swarm", () => {
  it("has three ready nodes: node-1 the manager, node-2 and node-3 workers", async () => {
    log(`timings: ${JSON.stringify(swarm.timings)}`);
    const nodes = (await swarm.docker.listNodes()) as {
      Description: { Hostname: string };
      Spec: { Role: string };
      Status: { State: string };
    }[];
    const summary = nodes.map((n) => `${n.Description.Hostname}:${n.Spec.Role}:${n.Status.State}`).sort();
    expect(summary).toEqual(["node-1:manager:ready", "node-2:worker:ready", "node-3:worker:ready"]);
    expect(swarm.dockerHost).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(swarm.nodes.map((n) => n.role)).toEqual(["manager", "worker", "worker"]);
  });

  it("runs one task of a 3-replica service on each node", async () => {
    const began = Date.now();
    await createSleeper(SPREAD, 1);
    await createSleeper(MOVABLE, 2);
    const spread = await waitForRunningTasks(SPREAD, 3, 90_000);
    log(`3 tasks of ${SPREAD} running after ${Date.now() - began} ms`);
    expect(spread).toEqual(["node-1", "node-2", "node-3"]);

    // Each node's own engine runs the container, from the image the harness loaded into it.
    for (const node of swarm.nodes) {
      const containers = await node.docker.listContainers({
        filters: JSON.stringify({ label: [`com.docker.swarm.service.name=${SPREAD}`] }),
      });
      expect(containers.map((c) => c.Image.split("@")[0])).toEqual([IMAGE]);
    }
  });

  it("marks a stopped node down and moves its task to a node that is up", async () => {
    const movable = await waitForRunningTasks(MOVABLE, 3, 90_000);
    expect(movable).toContain("node-3");

    const stoppedAt = Date.now();
    await swarm.stopNode("node-3");
    const down = await swarm.waitForNodeState("node-3", "down", 60_000);
    const downMs = Date.now() - stoppedAt;
    expect(down.Status.State).toBe("down");

    const moved = await waitForRunningTasks(MOVABLE, 3, 60_000);
    const movedMs = Date.now() - stoppedAt;
    log(`node-3 stopped: marked down after ${downMs} ms, its task running elsewhere after ${movedMs} ms`);
    expect(moved).not.toContain("node-3");
    expect(moved.every((h) => h === "node-1" || h === "node-2")).toBe(true);

    // With at most one replica per node, the third task has nowhere to go: it waits.
    const spread = await tasksOf(SPREAD);
    const running = spread.filter((t) => t.Status.State === "running").map((t) => hostnameOf(t.NodeID));
    expect(running.sort()).toEqual(["node-1", "node-2"]);
    expect(spread.some((t) => t.Status.State === "pending")).toBe(true);
  });

  it("brings a stopped node back as the same Swarm node, with its images", async () => {
    const began = Date.now();
    await swarm.startNode("node-3", 90_000);
    log(`node-3 started: ready again after ${Date.now() - began} ms`);
    const nodes = (await swarm.docker.listNodes()) as { ID: string; Description: { Hostname: string } }[];
    expect(nodes.filter((n) => n.Description.Hostname === "node-3").map((n) => n.ID)).toEqual([
      swarm.node("node-3").nodeId,
    ]);
    const image = await swarm.node("node-3").docker.getImage(IMAGE).inspect();
    expect(image.RepoTags).toContain(IMAGE);

    // The task that waited for a free node now runs on node-3 again.
    expect(await waitForRunningTasks(SPREAD, 3, 60_000)).toEqual(["node-1", "node-2", "node-3"]);
    log(`${SPREAD} back to 3 running tasks after ${Date.now() - began} ms`);
  });

  it("cleanup removes every container, network and volume the harness created", async () => {
    await swarm.cleanup();
    const host = new Dockerode();
    const filters = JSON.stringify({
      label: [MULTINODE_LABEL_FILTER, `${OWNER_PID_LABEL_KEY}=${process.pid}`],
    });
    expect(await host.listContainers({ all: true, filters })).toEqual([]);
    expect(await host.listNetworks({ filters })).toEqual([]);
    expect((await host.listVolumes({ filters })).Volumes ?? []).toEqual([]);
    const byName = await host.listNetworks({ filters: JSON.stringify({ name: [swarm.networkName] }) });
    expect(byName).toEqual([]);
  });
});
