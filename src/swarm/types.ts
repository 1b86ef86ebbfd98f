/**
 * The observed state of the Swarm, as read by `observe()` in a handful of list calls.
 * Plain data: the planner reads it, never client objects.
 */

export interface ObservedPort {
  target: number;
  published?: number;
  protocol: "tcp" | "udp";
}

export type ObservedMount =
  | { kind: "named"; source: string; target: string; readOnly: boolean }
  | { kind: "host"; source: string; target: string; readOnly: boolean };

/** CPU (nano-CPUs) and memory (bytes) of `TaskTemplate.Resources`; 0 or absent is "none". */
export interface ResourceAmountFields {
  nanoCpus?: number;
  memoryBytes?: number;
}

export interface ResourceFields {
  limits?: ResourceAmountFields;
  reservations?: ResourceAmountFields;
}

/** The fields of a service spec that AlaCrity sets, read back in the same normalised shape. */
export interface ServiceFields {
  image: string;
  command?: string[];
  args?: string[];
  env: Record<string, string>;
  ports: ObservedPort[];
  mounts: ObservedMount[];
  /** Placement constraints, e.g. `node.id==abc`. */
  constraints: string[];
  /** Labels on the service (ours and the user's). */
  labels: Record<string, string>;
  /** null for a global service. */
  replicas: number | null;
  updateOrder: "stop-first" | "start-first";
  /** Placement.MaxReplicas (max tasks per node); 0 or absent means unlimited. */
  maxReplicasPerNode: number;
  /** CPU and memory limits and reservations; absent when none is set. */
  resources?: ResourceFields;
  /**
   * The Swarm networks the tasks join, by Swarm network *name* (the spec holds IDs; observe maps
   * them back to names), sorted by name; absent or empty: none.
   */
  networks?: NetworkAttachmentFields[];
  /** `EndpointSpec.Mode`; absent is vip. */
  endpointMode?: "vip" | "dnsrr";
  /** Secrets and configs mounted, by Swarm object *name*, sorted by target. */
  secrets?: FileMountFields[];
  configs?: FileMountFields[];
}

export interface NetworkAttachmentFields {
  /** The Swarm network's name, e.g. `alacran--default` or an external network's own name. */
  network: string;
  aliases: string[];
}

/** A secret or config reference of a task: the Swarm object's name and the file it becomes. */
export interface FileMountFields {
  /** The Swarm secret's or config's name, e.g. `alacran--db-password--0123456789ab`. */
  source: string;
  target: string;
  uid: string;
  gid: string;
  mode: number;
}

export interface ObservedService {
  id: string;
  name: string;
  /** Swarm's version index, for optimistic concurrency on update. */
  version: number;
  fields: ServiceFields;
  /** The service spec exactly as Swarm returned it (opaque to the planner; the executor uses it). */
  rawSpec: unknown;
  createdAt: string;
  updatedAt: string;
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
    }
  | { kind: "create"; app: string; fields: ServiceFields }
  | { kind: "update"; app: string; serviceId: string; version: number; fields: ServiceFields }
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
  | { kind: "remove-content"; of: "secret" | "config"; id: string; name: string };
