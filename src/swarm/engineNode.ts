import type Docker from "dockerode";
import { toDockerError } from "./errors.js";

/**
 * The Swarm node ID of the engine this client talks to (`docker info`'s Swarm.NodeID), the empty
 * string when it is in no Swarm: an engine sees only its own node's containers and volumes.
 */
export async function engineNodeId(docker: Docker): Promise<string> {
  try {
    const info = (await docker.info()) as { Swarm?: { NodeID?: string } };
    return info.Swarm?.NodeID ?? "";
  } catch (err) {
    throw toDockerError(err, "cannot read which node this engine is");
  }
}
