import { isOwnLabel, LABEL } from "../domain/names.js";
import type { ObservedState, ServiceFields } from "../swarm/types.js";
import { restartOf } from "./restarts.js";
import type { Action, FieldChange } from "./types.js";

/** What a reviewer reads of an update, beside its reason: `changes` onwards in the update action. */
export type UpdateDetails = Pick<
  Extract<Action, { kind: "update" }>,
  "changes" | "restarts" | "restartOrder" | "internalLabels"
>;

/**
 * Labels that change with every manifest change (the spec hash) or every update made from Git (the
 * revision): naming them tells a reviewer nothing the reason does not.
 */
const UNLISTED_LABELS: ReadonlySet<string> = new Set([LABEL.hash, LABEL.revision]);

/** The label key of a `labels.KEY` change when the key is one of AlaCrity's own, else undefined. */
function ownLabel(change: FieldChange): string | undefined {
  if (!change.field.startsWith("labels.")) return undefined;
  const key = change.field.slice("labels.".length);
  return isOwnLabel(key) ? key : undefined;
}

/**
 * The update's changes as a plan shows them: the user's fields and labels, AlaCrity's own labels
 * only by name, and whether the app's containers are restarted. `taskNodeIds` are the nodes the
 * service's tasks run on (see `taskNodesOf`).
 */
export function updateDetails(
  changes: readonly FieldChange[],
  next: ServiceFields,
  taskNodeIds: readonly string[],
): UpdateDetails {
  const restart = restartOf(changes, next, taskNodeIds);
  return {
    changes: changes.filter((c) => ownLabel(c) === undefined),
    restarts: restart.restarts,
    ...(restart.restarts ? { restartOrder: restart.order } : {}),
    internalLabels: changes
      .map(ownLabel)
      .filter((key): key is string => key !== undefined && !UNLISTED_LABELS.has(key)),
  };
}

/**
 * The nodes each service's tasks are meant to run on, looked up by service ID. The index is built
 * on the first lookup: most plans have no update, and a Swarm may hold many thousand tasks.
 */
export function taskNodesOf(observed: ObservedState): (serviceId: string) => readonly string[] {
  let index: Map<string, string[]> | undefined;
  return (serviceId) => {
    if (!index) {
      index = new Map();
      for (const task of observed.tasks) {
        if (task.desiredState !== "running" || task.nodeId === undefined) continue;
        const nodes = index.get(task.serviceId);
        if (nodes) nodes.push(task.nodeId);
        else index.set(task.serviceId, [task.nodeId]);
      }
    }
    return index.get(serviceId) ?? [];
  };
}
