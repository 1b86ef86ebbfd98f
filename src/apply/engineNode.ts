import type Docker from "dockerode";
import type { DesiredState } from "../manifest/types.js";
import { engineNodeId } from "../swarm/engineNode.js";

/** PlanOptions' `engineNodeId`, when it is needed. */
export interface EngineNodeLookup {
  engineNodeId?: string;
}

/**
 * Which node the Docker engine is, so the planner can check that an external volume exists there
 * (src/rules/externalVolumes.ts). One `info` request, made only when some app mounts an external
 * volume: a manifest without one plans with the same requests as before. When the engine cannot
 * say, nothing is returned and the plan warns that the volumes could not be checked.
 */
export async function lookupEngineNode(docker: Docker, desired: DesiredState): Promise<EngineNodeLookup> {
  const needed = [...desired.apps.values()].some((app) => app.volumes.some((v) => v.kind === "external"));
  if (!needed) return {};
  try {
    const nodeId = await engineNodeId(docker);
    return nodeId ? { engineNodeId: nodeId } : {};
  } catch {
    return {};
  }
}
