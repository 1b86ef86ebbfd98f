// A real multi-node Docker Swarm on this machine, for integration tests: N Docker-in-Docker
// containers (testcontainers 11) on one bridge network, node-1 the manager, the others workers.
//
// TESTCONTAINERS_RYUK_DISABLED=true is set by ./testcontainersEnv.js, imported first: the Ryuk
// reaper image cannot be pulled here. Nothing reaps for us, so call cleanup() in afterAll;
// startMultiNodeSwarm() first sweeps what an aborted earlier run left (sweepLeftovers()).
import "./testcontainersEnv.js";

import Dockerode from "dockerode";
import type { StartedTestContainer } from "testcontainers";

import { buildNodeImage } from "./buildNodeImage.js";
import { freeLoopbackPort } from "../support/freePort.js";
import { innerContainerIds, removeInnerCgroups } from "./innerCgroups.js";
import { multiNodeLabels } from "./labels.js";
import { loadImages } from "./loadImages.js";
import { createNodeNetwork } from "./nodeNetwork.js";
import { SwarmNodeContainer } from "./swarmNodeContainer.js";
import type { SwarmNodeInfo, SwarmNodeState } from "./swarmNodes.js";
import { setNodeAvailability, waitForReadyNodes, waitForSwarmNodeState } from "./swarmNodes.js";
import { sweepLeftovers } from "./sweepLeftovers.js";
import { eventually } from "../support/poll.js";

export { sweepLeftovers } from "./sweepLeftovers.js";
export type { SwarmNodeInfo, SwarmNodeState } from "./swarmNodes.js";

/** Options of {@link startMultiNodeSwarm}. */
export interface MultiNodeSwarmOptions {
  /** Number of nodes, at least 1. node-1 is the only manager. Default 3. */
  nodes?: number;
  /** Host images copied into every node. Default `["alacrity-test/busybox:1"]`. */
  workloadImages?: string[];
  /**
   * Swarm's dispatcher heartbeat period. Swarm marks a silent node down after a few missed
   * heartbeats, so a shorter period detects a stopped node sooner. Default: Swarm's own (5 s).
   */
  heartbeatPeriodSeconds?: number;
  /** Progress and timing messages; default: none. */
  log?: (message: string) => void;
}

/** One node of the Swarm. */
export interface MultiNodeSwarmNode {
  /** Container hostname, which is also the Swarm node's hostname: node-1 … node-N. */
  hostname: string;
  /** The Swarm node ID. */
  nodeId: string;
  role: "manager" | "worker";
  /** Address on the nodes' network; the manager advertises it. */
  ipAddress: string;
  /** This node's own engine API, e.g. `tcp://127.0.0.1:41234`. */
  dockerHost: string;
  /** A client of this node's own engine (to inspect its containers, volumes, files). */
  docker: Dockerode;
  container: StartedTestContainer;
  /**
   * Stops the node's container. By default abruptly, like a power cut (`graceSeconds` 0);
   * Swarm marks the node down after its heartbeat times out.
   */
  stop(graceSeconds?: number): Promise<void>;
  /** Starts the stopped node; resolves when its engine answers again. */
  start(): Promise<void>;
  restart(): Promise<void>;
}

/** Timings of the start-up, in milliseconds. */
export interface MultiNodeSwarmTimings {
  imageMs: number;
  containersMs: number;
  swarmMs: number;
  imagesLoadedMs: number;
  totalMs: number;
}

export interface MultiNodeSwarm {
  /** A client of the manager's engine API (published on 127.0.0.1). */
  docker: Dockerode;
  /** The manager's API as a DOCKER_HOST value, for spawning the CLI: `tcp://127.0.0.1:PORT`. */
  dockerHost: string;
  nodes: MultiNodeSwarmNode[];
  image: string;
  networkName: string;
  timings: MultiNodeSwarmTimings;
  /** The node with this hostname; throws when there is none. */
  node(hostname: string): MultiNodeSwarmNode;
  stopNode(hostname: string, graceSeconds?: number): Promise<void>;
  /** Starts a stopped node and waits until Swarm reports it ready again. */
  startNode(hostname: string, timeoutMs?: number): Promise<void>;
  /** Sets the node's availability to drain: Swarm moves its tasks away. */
  drainNode(hostname: string): Promise<void>;
  /** Sets the node's availability back to active. */
  activateNode(hostname: string): Promise<void>;
  /** Stops the node, waits until it is down, then `docker node rm --force` on the manager. */
  removeNode(hostname: string, timeoutMs?: number): Promise<void>;
  /** Polls the manager until the node has this state (bounded by `timeoutMs`, default 60 s). */
  waitForNodeState(hostname: string, state: SwarmNodeState, timeoutMs?: number): Promise<SwarmNodeInfo>;
  /** Removes the node containers, their data volumes and the network. Safe to call twice. */
  cleanup(): Promise<void>;
}

const DEFAULT_WORKLOAD_IMAGES = ["alacrity-test/busybox:1"];
const SWARM_PORT = 2377;
/** Names the run a resource belongs to, so cleanup() finds its containers even after a failure. */
const RUN_LABEL_KEY = "alacrity.test.run";

interface NodePlan {
  hostname: string;
  ipAddress: string;
  apiHostPort: number;
  dataVolume: string;
}

/**
 * Starts a Swarm of `nodes` Docker-in-Docker nodes and returns handles to it. Takes about 20 s
 * once the node image exists (its first build takes about a minute). On failure everything
 * created so far is removed before the error is thrown.
 */
export async function startMultiNodeSwarm(options: MultiNodeSwarmOptions = {}): Promise<MultiNodeSwarm> {
  const count = options.nodes ?? 3;
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`Expected \`nodes\` to be an integer from 1 and up, got ${String(count)}`);
  }
  const workloadImages = options.workloadImages ?? DEFAULT_WORKLOAD_IMAGES;
  const log = options.log ?? (() => undefined);
  const host = new Dockerode();
  const began = Date.now();

  await sweepLeftovers(host);
  const image = await buildNodeImage();
  const imageDone = Date.now();
  log(`node image ${image} ready in ${imageDone - began} ms`);

  const runId = `${process.pid}-${Date.now().toString(36)}`;
  const networkName = `alacrity-mn-${runId}`;
  const labels = { ...multiNodeLabels(), [RUN_LABEL_KEY]: networkName };
  const volumes: string[] = [];
  const engines: Dockerode[] = [];
  const innerIds = new Set<string>();
  const rememberInnerContainers = async (engine: Dockerode): Promise<void> => {
    for (const id of await innerContainerIds(engine).catch(() => [])) innerIds.add(id);
  };
  let networkCreated = false;
  let cleaned = false;

  const cleanup = async (): Promise<void> => {
    if (cleaned) return;
    cleaned = true;
    // Each step runs even when an earlier one fails, so that as little as possible is left.
    const errors: unknown[] = [];
    await Promise.all(engines.map(rememberInnerContainers));
    const attempt = async (step: () => Promise<unknown>): Promise<void> => {
      try {
        await step();
      } catch (error) {
        if (!/no such|not found/i.test(String(error))) errors.push(error);
      }
    };
    // Listed by label rather than remembered: a node whose start failed half-way still exists.
    await attempt(async () => {
      const filters = JSON.stringify({ label: [`${RUN_LABEL_KEY}=${networkName}`] });
      const containers = await host.listContainers({ all: true, filters });
      await Promise.all(
        containers.map((c) => attempt(() => host.getContainer(c.Id).remove({ force: true, v: true }))),
      );
    });
    for (const volume of volumes) await attempt(() => host.getVolume(volume).remove());
    if (networkCreated) await attempt(() => host.getNetwork(networkName).remove());
    await removeInnerCgroups(innerIds);
    if (errors.length > 0) throw new AggregateError(errors, "multi-node Swarm cleanup failed");
  };

  try {
    const network = await createNodeNetwork(host, networkName, labels);
    networkCreated = true;
    const plans: NodePlan[] = [];
    for (let i = 0; i < count; i++) {
      const dataVolume = `${networkName}-node-${i + 1}`;
      await host.createVolume({ Name: dataVolume, Labels: labels });
      volumes.push(dataVolume);
      plans.push({
        hostname: `node-${i + 1}`,
        ipAddress: network.addressOf(i),
        apiHostPort: await freeLoopbackPort(),
        dataVolume,
      });
    }

    // allSettled: a failed start must not leave the others starting while cleanup runs.
    const settled = await Promise.allSettled(
      plans.map((plan) => new SwarmNodeContainer({ image, networkName, labels, ...plan }).start()),
    );
    const started = settled.map((result) => {
      if (result.status === "rejected") throw result.reason;
      return result.value;
    });
    engines.push(
      ...plans.map((p) => new Dockerode({ host: "127.0.0.1", port: p.apiHostPort, protocol: "http" })),
    );
    await Promise.all(engines.map((engine, i) => waitForEngine(engine, plans[i]!.hostname)));
    const containersDone = Date.now();
    log(`${count} node containers up in ${containersDone - imageDone} ms`);

    const manager = engines[0]!;
    const managerPlan = plans[0]!;
    const initSpec =
      options.heartbeatPeriodSeconds === undefined
        ? {}
        : { Spec: { Dispatcher: { HeartbeatPeriod: options.heartbeatPeriodSeconds * 1e9 } } };
    await manager.swarmInit({
      ListenAddr: `0.0.0.0:${SWARM_PORT}`,
      AdvertiseAddr: `${managerPlan.ipAddress}:${SWARM_PORT}`,
      ...initSpec,
    });
    const swarm = (await manager.swarmInspect()) as { JoinTokens: { Worker: string } };
    await Promise.all(
      engines.slice(1).map((engine, i) =>
        engine.swarmJoin({
          ListenAddr: `0.0.0.0:${SWARM_PORT}`,
          AdvertiseAddr: `${plans[i + 1]!.ipAddress}:${SWARM_PORT}`,
          RemoteAddrs: [`${managerPlan.ipAddress}:${SWARM_PORT}`],
          JoinToken: swarm.JoinTokens.Worker,
        }),
      ),
    );
    const swarmNodes = await waitForReadyNodes(manager, count, 120_000);
    const swarmDone = Date.now();
    log(`Swarm of ${count} nodes ready in ${swarmDone - containersDone} ms`);

    await Promise.all(engines.map((engine) => loadImages(host, engine, workloadImages)));
    const imagesDone = Date.now();
    log(`workload images loaded into every node in ${imagesDone - swarmDone} ms`);

    const waitForNodeState = (hostname: string, state: SwarmNodeState, timeoutMs = 60_000) =>
      waitForSwarmNodeState(manager, hostname, state, timeoutMs);

    const nodes: MultiNodeSwarmNode[] = plans.map((plan, i) => {
      const engine = engines[i]!;
      const container = started[i]!;
      const info = swarmNodes.find((n) => n.Description.Hostname === plan.hostname);
      if (info === undefined) throw new Error(`Swarm lists no node with hostname ${plan.hostname}`);
      const hostContainer = host.getContainer(container.getId());
      return {
        hostname: plan.hostname,
        nodeId: info.ID,
        role: info.Spec.Role,
        ipAddress: plan.ipAddress,
        dockerHost: `tcp://127.0.0.1:${plan.apiHostPort}`,
        docker: engine,
        container,
        stop: async (graceSeconds = 0) => {
          await rememberInnerContainers(engine);
          await hostContainer.stop({ t: graceSeconds }).catch(ignoreNotModified);
        },
        start: async () => {
          await hostContainer.start().catch(ignoreNotModified);
          await waitForEngine(engine, plan.hostname);
        },
        restart: async () => {
          await rememberInnerContainers(engine);
          await hostContainer.restart({ t: 0 });
          await waitForEngine(engine, plan.hostname);
        },
      };
    });

    const node = (hostname: string): MultiNodeSwarmNode => {
      const found = nodes.find((n) => n.hostname === hostname);
      if (found === undefined) {
        throw new Error(`Expected one of ${nodes.map((n) => n.hostname).join(", ")}, got ${hostname}`);
      }
      return found;
    };

    return {
      docker: manager,
      dockerHost: nodes[0]!.dockerHost,
      nodes,
      image,
      networkName,
      timings: {
        imageMs: imageDone - began,
        containersMs: containersDone - imageDone,
        swarmMs: swarmDone - containersDone,
        imagesLoadedMs: imagesDone - swarmDone,
        totalMs: imagesDone - began,
      },
      node,
      stopNode: (hostname, graceSeconds) => node(hostname).stop(graceSeconds),
      startNode: async (hostname, timeoutMs = 60_000) => {
        await node(hostname).start();
        await waitForNodeState(hostname, "ready", timeoutMs);
      },
      drainNode: (hostname) => setNodeAvailability(manager, node(hostname).nodeId, "drain"),
      activateNode: (hostname) => setNodeAvailability(manager, node(hostname).nodeId, "active"),
      removeNode: async (hostname, timeoutMs = 60_000) => {
        const target = node(hostname);
        await target.stop();
        await waitForNodeState(hostname, "down", timeoutMs);
        await manager.getNode(target.nodeId).remove({ force: true });
      },
      waitForNodeState,
      cleanup,
    };
  } catch (error) {
    await cleanup().catch(() => undefined);
    throw error;
  }
}

/** Docker answers 304 to stopping a stopped container or starting a running one. */
function ignoreNotModified(error: unknown): void {
  if ((error as { statusCode?: number }).statusCode !== 304) throw error;
}

async function waitForEngine(engine: Dockerode, hostname: string): Promise<void> {
  await eventually(async () => ((await engine.ping()) ? true : undefined), {
    timeoutMs: 90_000,
    intervalMs: 250,
    what: `the engine of ${hostname} to answer`,
  });
}
