/**
 * The fields of a service spec that AlaCrity sets, and their parts, in the normalised shape
 * `fieldsFromSpec` reads back and `specFromFields` writes. Plain data, as in types.ts, which
 * re-exports them.
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
  /** `ContainerSpec.Healthcheck`, durations in nanoseconds; absent: none in the spec (the image's). */
  healthcheck?: HealthcheckFields;
  /** `UpdateConfig` but its order (`updateOrder`). */
  updateConfig?: UpdatePolicyFields;
  /** `RollbackConfig`, with its own order. */
  rollbackConfig?: UpdatePolicyFields & { order: "stop-first" | "start-first" };
  /** `TaskTemplate.RestartPolicy`; absent: Swarm's default (any, 5 s). */
  restartPolicy?: RestartPolicyFields;
  /** `ContainerSpec.StopGracePeriod` in nanoseconds; absent: Swarm's 10 s. */
  stopGracePeriod?: number;
  /** `Placement.Preferences`, the `spread` descriptors in order; absent or empty: none. */
  placementPreferences?: string[];
  /**
   * Desired fields only: the fields above that hold AlaCrity's defaults rather than values the
   * manifest set (src/reconcile/serviceDefaults.ts). They are written with every create and
   * update, but neither hashed nor compared for drift, so a new default never redeploys a
   * running service by itself: it lands with the service's next real update.
   */
  defaulted?: DefaultedField[];
}

export type DefaultedField = "updateConfig" | "rollbackConfig" | "stopGracePeriod";

export interface HealthcheckFields {
  /** `["CMD", ...]`, `["CMD-SHELL", text]` or `["NONE"]`. */
  test: string[];
  interval?: number;
  timeout?: number;
  retries?: number;
  startPeriod?: number;
}

export interface UpdatePolicyFields {
  parallelism: number;
  /** Nanoseconds. */
  delay: number;
  failureAction: "rollback" | "pause" | "continue";
  /** Nanoseconds. */
  monitor: number;
  maxFailureRatio: number;
}

export interface RestartPolicyFields {
  condition: "any" | "on-failure" | "none";
  /** Nanoseconds; absent: Swarm's 5 s. */
  delay?: number;
  /** 0 or absent: unlimited. */
  maxAttempts?: number;
  /** Nanoseconds; absent: unbounded. */
  window?: number;
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
