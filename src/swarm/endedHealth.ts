import type Docker from "dockerode";
import { asHealthFailure } from "../domain/taskHealth.js";
import { engineNodeId } from "./engineNode.js";
import { containerHealth, MAX_INSPECTED } from "./probeOutput.js";
import type { ObservedTask } from "./types.js";

/**
 * What the containers of ended tasks said of their health, by task ID: `true` when the container
 * was unhealthy. An ended container's health never changes, so a wait that polls keeps one of
 * these and inspects each container once.
 */
export type EndedHealth = Map<string, boolean>;

/**
 * The tasks with each `complete` one of a service with a health check (`checkedServices`) that
 * its health check stopped read as the failure it was (`asHealthFailure`). Swarm records no
 * trace of it on the task: only the container, on this engine, still says `unhealthy`; tasks of
 * other nodes stay as they are. Requests: none when no such task is new to `seen`; else one
 * `info` and one container inspect per new task of this node, at most `MAX_INSPECTED`.
 */
export async function withEndedHealth(
  docker: Docker,
  tasks: readonly ObservedTask[],
  checkedServices: ReadonlySet<string>,
  seen: EndedHealth = new Map(),
): Promise<ObservedTask[]> {
  const ended = (task: ObservedTask) =>
    task.state === "complete" && task.containerId !== undefined && checkedServices.has(task.serviceId);
  const fresh = tasks.filter((task) => ended(task) && !seen.has(task.id)).slice(0, MAX_INSPECTED);
  if (fresh.length > 0) {
    const localNode = await engineNodeId(docker);
    await Promise.all(
      fresh.map(async (task) => {
        if (task.nodeId !== undefined && task.nodeId !== localNode) {
          seen.set(task.id, false);
          return;
        }
        const health = await containerHealth(docker, task.containerId ?? "");
        seen.set(task.id, health.status === "unhealthy");
      }),
    );
  }
  return tasks.map((task) => (ended(task) && seen.get(task.id) === true ? asHealthFailure(task) : task));
}
