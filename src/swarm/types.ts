/**
 * The observed state of the Swarm, as read by `observe()` in a handful of list calls.
 * Plain data: the planner reads it, never client objects.
 */

export type * from "./serviceFieldTypes.js";
import type { ServiceFields } from "./serviceFieldTypes.js";

/** `Service.UpdateStatus`: how Swarm's last update of the service went. */
export interface ObservedUpdateStatus {
  /** updating | paused | completed | rollback_started | rollback_paused | rollback_completed */
  state: string;
  /** Swarm's text, e.g. "update rolled back due to failure or early termination of task ...". */
  message: string;
  startedAt?: string;
  completedAt?: string;
}

export interface ObservedService {
  id: string;
  /**
   * The app the service stands for: its `alacrity.app` label when an AlaCrity manages it, else
   * its Swarm name. The two differ for a service taken over from a stack (`spec.serviceName`).
   */
  name: string;
  /** The service's name in Swarm (`docker service ls`), which Swarm cannot change. */
  serviceName: string;
  /** Swarm's version index, for optimistic concurrency on update. */
  version: number;
  fields: ServiceFields;
  /** The service spec exactly as Swarm returned it (opaque to the planner; the executor uses it). */
  rawSpec: unknown;
  createdAt: string;
  updatedAt: string;
  /** Absent when Swarm has no update on record (the service was never updated). */
  updateStatus?: ObservedUpdateStatus;
}

export interface ObservedTask {
  id: string;
  serviceId: string;
  nodeId?: string;
  slot?: number;
  /** What Swarm wants: running, shutdown, ... */
  desiredState: string;
  /** What it is: new, pending, assigned, preparing, starting, running, complete, failed, rejected, ... */
  state: string;
  /** Swarm's status message, e.g. "no suitable node (scheduling constraints not satisfied ...)". */
  message: string;
  /** Swarm's error text, e.g. "invalid mount config for type \"bind\": bind source path does not exist: /srv/x". */
  error?: string;
  timestamp: string;
  /**
   * The spec hash the task was started from (container label `LABEL.taskHash`, written with every
   * create and every update that replaces tasks): after Swarm rolled an update back, the failed
   * tasks still name the spec that failed.
   */
  specHash?: string;
  /** `Status.ContainerStatus.ContainerID`, once the task has a container. */
  containerId?: string;
}

export interface ObservedNode {
  id: string;
  hostname: string;
  /** ready | down | unknown | disconnected */
  state: string;
  /** active | pause | drain */
  availability: string;
  role: "manager" | "worker";
  labels: Record<string, string>;
  addr?: string;
}

export interface ObservedVolume {
  name: string;
  labels: Record<string, string>;
}

/**
 * The pin record of a persistent app: kept as a Swarm config object named `alacrity-pin--<app>`,
 * so it survives controller restarts and the app's removal and re-creation.
 */
export interface PinRecord {
  app: string;
  nodeId: string;
  hostname: string;
  /** The Swarm config ID that holds this record. */
  configId: string;
  /** The config's version index, for updating its labels (the recorded storage). */
  version?: number;
  /**
   * The storage recorded on the node (`LABEL.pinVolumes`, `LABEL.pinHostPaths`): Docker volume
   * names and host paths, sorted. Absent: a record written before AlaCrity recorded storage.
   */
  storage?: RecordedStorage;
}

/** What a persistent app keeps on its node: Docker volume names and host directories, sorted. */
export interface RecordedStorage {
  volumes: string[];
  hostPaths: string[];
}

/**
 * A held spec: Swarm rolled back the update to the spec of this hash, so AlaCrity does not apply
 * it again until the manifest changes or someone retries (`apply --retry APP`). Kept as a Swarm
 * config named `holdConfigName(app)`, like the pin, so every controller and every restart knows.
 */
export interface HoldRecord {
  app: string;
  /** The `alacrity.instance` label: the instance that wrote it (absent: the default instance). */
  instance?: string;
  /** The `alacrity.hash` of the spec that was rolled back. */
  hash: string;
  /** Swarm's reason, as its UpdateStatus said it. */
  reason: string;
  configId: string;
}

export interface ObservedNetwork {
  id: string;
  name: string;
  driver: string;
  scope: string;
  internal: boolean;
  attachable: boolean;
  /** The overlay's `encrypted` option is set. */
  encrypted: boolean;
  labels: Record<string, string>;
}

/** A Swarm secret or config: its metadata only (Swarm never returns a secret's data). */
export interface ObservedContent {
  id: string;
  name: string;
  labels: Record<string, string>;
}

export interface ObservedState {
  services: ObservedService[];
  tasks: ObservedTask[];
  nodes: ObservedNode[];
  /** Volumes visible from the engine we talk to (the manager's; other nodes' are not listed). */
  volumes: ObservedVolume[];
  pins: PinRecord[];
  /** Every network of the Swarm (absent: not read, as in older tests' fixtures). */
  networks?: ObservedNetwork[];
  /** Every secret, and every config that is not a pin record. */
  secrets?: ObservedContent[];
  configs?: ObservedContent[];
  /** Hold records of this Swarm (absent: not read, as in older tests' fixtures). */
  holds?: HoldRecord[];
  /** What apps left on nodes they were moved away from (absent: not read). */
  leftBehind?: LeftRecord[];
  /** Apps stopped for a backup, restore or move (absent: not read). */
  maintenance?: MaintenanceRecord[];
}

export type MaintenanceOperation = "backup" | "restore" | "move";

/**
 * An app taken out of service by `alacrity backup`, `restore` or `move`: a Swarm config
 * `maintenanceConfigName(app)`, written before the app is stopped and removed after it is started
 * again, so no controller starts it in between and a rerun after a crash knows where it stood.
 */
export interface MaintenanceRecord {
  app: string;
  operation: MaintenanceOperation;
  /** `<hostname> <pid>` of the command that holds it. */
  by: string;
  /** ISO 8601. */
  since: string;
  /** The replica count the app ran with, to start it again with. */
  replicas: number;
  /** For a move: the ID of the node the app is being moved to. */
  to?: string;
  configId: string;
}

/**
 * The storage an app had on a node before an explicit move replaced its pin: kept as a Swarm
 * config `leftConfigName(app, node)` so `alacrity data` lists it until the user deletes it.
 */
export interface LeftRecord {
  app: string;
  nodeId: string;
  hostname: string;
  configId: string;
  storage: RecordedStorage;
}

/** What AlaCrity creates for a Network document (or the default network). */
export interface NetworkFields {
  /** The Swarm network name (`alacran--<name>`). */
  name: string;
  internal: boolean;
  attachable: boolean;
  encrypted: boolean;
  /** Ours (managed, instance, resource, network hash). */
  labels: Record<string, string>;
}

/**
 * The content of a secret or config for the executor. `read()` gives the bytes; the object
 * prints as `(hidden)` however it is serialised or inspected (see src/content/), so an action
 * carrying it can be logged and shown in a plan.
 */
export interface ContentValue {
  read(): Buffer;
  toJSON(): string;
}

/**
 * What the Swarm layer can perform. The planner's actions are these with the reason and the field
 * changes they were planned for; each update and scale names the service version it was planned
 * against, so a concurrent change fails instead of being clobbered.
 */
export type SwarmAction =
  | {
      kind: "pin";
      app: string;
      nodeId: string;
      hostname: string;
      /** The pin record's config ID it replaces. */ replaces?: string;
      /** The storage to record with the pin. */
      storage?: RecordedStorage;
      /** With `replaces`: the old node and what the app kept there, recorded as left behind first. */
      leaves?: { nodeId: string; hostname: string; storage: RecordedStorage };
    }
  /** Records more storage on an existing pin record (a label update: Swarm configs keep their data). */
  | { kind: "record-storage"; app: string; configId: string; version: number; storage: RecordedStorage }
  | {
      kind: "create";
      app: string;
      fields: ServiceFields;
      /** The Swarm name when it is not the app's (`spec.serviceName`). */
      serviceName?: string;
    }
  | {
      kind: "update";
      app: string;
      serviceId: string;
      /** The Swarm name when it is not the app's: the service's own, or after `recreate` the new one. */
      serviceName?: string;
      version: number;
      fields: ServiceFields;
      /**
       * False: the planner found that the update replaces no task, so the executor keeps the
       * service's container labels (a new task hash would replace every task). Absent: as true.
       */
      restarts?: boolean;
      /** Swarm cannot change a service's mode: the executor removes the service and creates it again. */
      recreate?: boolean;
    }
  | { kind: "scale"; app: string; serviceId: string; version: number; to: number }
  | { kind: "remove"; app: string; serviceId: string }
  | { kind: "create-network"; network: NetworkFields }
  | { kind: "remove-network"; networkId: string; name: string }
  | {
      kind: "create-content";
      /** Secret or config. */
      of: "secret" | "config";
      /** The Swarm object's name, `contentName(resource, hash)`. */
      name: string;
      labels: Record<string, string>;
      value: ContentValue;
    }
  | { kind: "remove-content"; of: "secret" | "config"; id: string; name: string }
  | {
      kind: "hold";
      app: string;
      hash: string;
      /** Swarm's reason, stored in the record (`reason` is the planner's, "rolled back by Swarm"). */
      swarmReason: string;
      /** The record's `alacrity.instance` label. */
      instance: string;
      /** The hold record's config ID it replaces. */
      replaces?: string;
    }
  | { kind: "release-hold"; app: string; configId: string };
