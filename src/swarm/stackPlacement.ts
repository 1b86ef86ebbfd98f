import type Docker from "dockerode";
import { STACK_NAMESPACE_LABEL } from "../domain/names.js";
import { toDockerError } from "./errors.js";

/** Where a deployed stack's services run now, by compose service name: the nodes' hostnames. */
export type StackPlacement = Map<string, string[]>;

interface RawNode {
  ID: string;
  Description?: { Hostname?: string };
}

interface RawTask {
  ServiceID?: string;
  NodeID?: string;
  DesiredState?: string;
  Status?: { State?: string };
}

/**
 * The nodes each service of stack `stack` has a running task on (stack deploy names a service
 * `<stack>_<compose name>` and labels it with the stack's name); a service with none is listed
 * with no node. Empty when the stack is not deployed. Requests: one service list filtered by the
 * label, then, when there are services, one task list and one node list.
 */
export async function stackPlacement(docker: Docker, stack: string): Promise<StackPlacement> {
  try {
    const services = await docker.listServices({
      filters: { label: [`${STACK_NAMESPACE_LABEL}=${stack}`] },
    });
    const placement: StackPlacement = new Map();
    if (services.length === 0) return placement;
    const [tasks, nodes] = await Promise.all([
      docker.listTasks({
        filters: { service: services.map((s) => s.ID), "desired-state": ["running"] },
      }) as Promise<RawTask[]>,
      docker.listNodes() as Promise<RawNode[]>,
    ]);
    const hostnames = new Map(nodes.map((n) => [n.ID, n.Description?.Hostname || n.ID]));
    const prefix = `${stack}_`;
    for (const service of services) {
      const name = service.Spec?.Name ?? "";
      if (!name.startsWith(prefix)) continue;
      const running = tasks.filter((t) => t.ServiceID === service.ID && t.Status?.State === "running");
      const onNodes = [
        ...new Set(running.map((t): string => hostnames.get(t.NodeID ?? "") ?? t.NodeID ?? "")),
      ];
      placement.set(name.slice(prefix.length), onNodes.sort());
    }
    return placement;
  } catch (err) {
    throw toDockerError(err, `cannot read stack ${stack}`);
  }
}
