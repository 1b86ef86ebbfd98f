import type { ServiceFields } from "../swarm/types.js";
import type { FieldChange } from "./types.js";

/**
 * Where a field sits in Swarm's service spec, which decides whether changing it replaces the
 * service's tasks (swarmkit's `IsTaskDirty`, manager/orchestrator/task.go):
 * - `task`: in the TaskTemplate (ContainerSpec, Resources): every task is replaced;
 * - `endpoint`: the EndpointSpec. Swarm compares it with each task's own endpoint, so a port added
 *   or changed replaces the tasks (seen on Docker 20.10: a port removed alone did not, but that
 *   depends on the allocator refreshing the tasks' endpoint first, so the plan does not count on it);
 * - `placement`: TaskTemplate.Placement: alone, it replaces only the tasks whose node no longer
 *   satisfies the constraints;
 * - `service`: service labels, Mode (replicas), UpdateConfig, RollbackConfig: the tasks keep running.
 */
export type SpecPart = "task" | "endpoint" | "placement" | "service";

/** The fields `diffFields` names, by the part of the spec they are written to (serviceSpec.ts). */
export const SPEC_PART = {
  image: "task",
  command: "task",
  args: "task",
  env: "task",
  mounts: "task",
  resources: "task",
  // TaskTemplate.Networks, ContainerSpec.Secrets and .Configs: new tasks join and mount them.
  networks: "task",
  secrets: "task",
  configs: "task",
  // ContainerSpec.Healthcheck and .StopGracePeriod, TaskTemplate.RestartPolicy.
  healthcheck: "task",
  stopGracePeriod: "task",
  restartPolicy: "task",
  ports: "endpoint",
  endpointMode: "endpoint",
  constraints: "placement",
  maxReplicasPerNode: "placement",
  // swarmkit's IsTaskDirty sets the whole Placement aside when only it changed and the node still
  // satisfies the constraints: on Docker 20.10, a change of MaxReplicas or of the preferences
  // alone kept the running task (`docker service update --replicas-max-per-node 2` and
  // `--placement-pref-add spread=node.labels.zone`, task ID unchanged).
  placementPreferences: "placement",
  labels: "service",
  replicas: "service",
  updateOrder: "service",
  updateConfig: "service",
  rollbackConfig: "service",
} as const satisfies Record<string, SpecPart>;

export type DiffField = keyof typeof SPEC_PART;

/**
 * The part of the spec a changed field (`env.KEY`, `labels.KEY`, `resources.limits.cpus`, ...)
 * belongs to; a field this table does not know is taken to replace the tasks, so that a field
 * added to the diff without a line here never makes the plan promise "no restart".
 */
export function specPart(field: string): SpecPart {
  const head = field.split(".", 1)[0] ?? field;
  return Object.hasOwn(SPEC_PART, head) ? SPEC_PART[head as DiffField] : "task";
}

/** Whether an update replaces the app's containers, and in which order Swarm does it. */
export type Restart = { restarts: false } | { restarts: true; order: ServiceFields["updateOrder"] };

/**
 * Whether applying `changes` makes Swarm replace the service's running tasks. `next` is the spec
 * the update writes (its update order is the one Swarm uses); `taskNodeIds` are the nodes the
 * service's tasks run on now, which decide whether a change of placement alone moves them.
 */
export function restartOf(
  changes: readonly FieldChange[],
  next: Pick<ServiceFields, "constraints" | "updateOrder">,
  taskNodeIds: readonly string[],
): Restart {
  const parts = new Set(changes.map((c) => specPart(c.field)));
  const replaced =
    parts.has("task") ||
    parts.has("endpoint") ||
    (parts.has("placement") && taskNodeIds.some((id) => !satisfies(id, next.constraints)));
  return replaced ? { restarts: true, order: next.updateOrder } : { restarts: false };
}

/**
 * Whether a node satisfies placement constraints, as far as the node ID tells: AlaCrity writes
 * only `node.id==ID`; any other expression is taken as unsatisfied (a restart is the safe answer).
 */
function satisfies(nodeId: string, constraints: readonly string[]): boolean {
  return constraints.every((c) => {
    const m = /^\s*node\.id\s*(==|!=)\s*(\S+)\s*$/.exec(c);
    if (!m) return false;
    return m[1] === "==" ? m[2] === nodeId : m[2] !== nodeId;
  });
}
