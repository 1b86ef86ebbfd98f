import type { StorageSet } from "../domain/storage.js";
import { whyNodeUnusable } from "../reconcile/nodes.js";
import type { ObservedService, ObservedState } from "../swarm/types.js";

/** A persistent app as a backup, restore or move finds it on the Swarm. */
export interface MaintenanceTarget {
  app: string;
  /** Its service; absent for an app that was removed (its data and pin remain). */
  service?: ObservedService;
  nodeId: string;
  hostname: string;
  /**
   * What it keeps on its node: the service's volume and bind mounts, or for a removed app what
   * its pin record recorded.
   */
  storage: StorageSet;
}

/** Why the operation cannot start: said before anything is stopped. */
export class MaintenanceRefusal extends Error {
  override readonly name = "MaintenanceRefusal";
}

/**
 * The app, its node and its storage, or a refusal that says why not and what to do: the app must
 * be persistent (pinned), its node in the Swarm, ready and active, and its data known.
 */
export function findTarget(observed: ObservedState, app: string): MaintenanceTarget {
  const pin = observed.pins.find((p) => p.app === app);
  const service = observed.services.find((s) => s.name === app);
  if (!pin) {
    throw new MaintenanceRefusal(
      service
        ? `${app} is not a persistent app (it has no pin record): it keeps no data for AlaCrity to copy`
        : `no app ${app} on this Swarm: neither a service nor a pin record has that name (see alacrity data)`,
    );
  }
  const node = observed.nodes.find((n) => n.id === pin.nodeId);
  if (!node) {
    throw new MaintenanceRefusal(
      `${app} is pinned to node ${pin.hostname || pin.nodeId} (${pin.nodeId}), which is no longer in the Swarm: its data cannot be reached`,
    );
  }
  const unusable = whyNodeUnusable(node);
  if (unusable !== undefined)
    throw new MaintenanceRefusal(`${app}: ${unusable}; bring the node back before this operation`);
  const storage = service ? mountedStorage(service) : pin.storage;
  if (!storage || storage.volumes.length + storage.hostPaths.length === 0) {
    throw new MaintenanceRefusal(
      `${app} has no volume or host directory on ${node.hostname}: nothing to copy`,
    );
  }
  return { app, ...(service ? { service } : {}), nodeId: node.id, hostname: node.hostname, storage };
}

/** The service's named volumes and bind-mounted host directories, sorted. */
export function mountedStorage(service: ObservedService): StorageSet {
  const of = (kind: "named" | "host"): string[] =>
    [...new Set(service.fields.mounts.filter((m) => m.kind === kind).map((m) => m.source))].sort();
  return { volumes: of("named"), hostPaths: of("host") };
}

/** Tasks of the app meant to run on another node than its pin's: a restore there is refused. */
export function tasksElsewhere(observed: ObservedState, target: MaintenanceTarget): string[] {
  const id = target.service?.id;
  if (id === undefined) return [];
  return observed.tasks
    .filter(
      (t) => t.serviceId === id && t.desiredState === "running" && t.nodeId && t.nodeId !== target.nodeId,
    )
    .map((t) => t.nodeId ?? "");
}
