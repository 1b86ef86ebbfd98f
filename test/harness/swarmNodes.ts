import type Dockerode from "dockerode";
import { eventually } from "../support/poll.js";

/** The part of the Engine API's Node object the harness reads. */
export interface SwarmNodeInfo {
  ID: string;
  Version: { Index: number };
  Spec: {
    Role: "manager" | "worker";
    Availability: "active" | "pause" | "drain";
    Labels?: Record<string, string>;
  };
  Description: { Hostname: string };
  Status: { State: "unknown" | "down" | "ready" | "disconnected"; Addr?: string };
  ManagerStatus?: { Leader?: boolean; Reachability: string; Addr: string };
}

export type SwarmNodeState = SwarmNodeInfo["Status"]["State"];

export async function listSwarmNodes(manager: Dockerode): Promise<SwarmNodeInfo[]> {
  return (await manager.listNodes()) as SwarmNodeInfo[];
}

/** Waits until Swarm reports the node with this hostname in `state`; returns the node. */
export async function waitForSwarmNodeState(
  manager: Dockerode,
  hostname: string,
  state: SwarmNodeState,
  timeoutMs: number,
): Promise<SwarmNodeInfo> {
  return eventually(
    async () => {
      const nodes = await listSwarmNodes(manager);
      return nodes.find((n) => n.Description.Hostname === hostname && n.Status.State === state);
    },
    { timeoutMs, intervalMs: 250, what: `Swarm node ${hostname} to be ${state}` },
  );
}

/** Waits until exactly `count` nodes are known and all of them are ready. */
export async function waitForReadyNodes(
  manager: Dockerode,
  count: number,
  timeoutMs: number,
): Promise<SwarmNodeInfo[]> {
  return eventually(
    async () => {
      const nodes = await listSwarmNodes(manager);
      const ready = nodes.length === count && nodes.every((n) => n.Status.State === "ready");
      return ready ? nodes : undefined;
    },
    { timeoutMs, what: `${count} ready Swarm nodes` },
  );
}

export async function setNodeAvailability(
  manager: Dockerode,
  nodeId: string,
  availability: SwarmNodeInfo["Spec"]["Availability"],
): Promise<void> {
  const node = manager.getNode(nodeId);
  const info = (await node.inspect()) as SwarmNodeInfo;
  await node.update({ version: info.Version.Index, ...info.Spec, Availability: availability });
}
