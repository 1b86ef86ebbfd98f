import type { DefaultedField, ServiceFields } from "../swarm/types.js";
import { isDefaultChange, pendingDefaults } from "./policyDiff.js";
import { redactOnSerialise } from "./redact.js";
import { restartOf, specPart } from "./restarts.js";
import type { Action, FieldChange, PlanWarning } from "./types.js";

/**
 * When AlaCrity's defaults (serviceDefaults.ts) reach a service that predates them: never by
 * themselves, only with the service's next real update, and only those that do not make that
 * update replace tasks it would otherwise keep running.
 */

/**
 * The fields an update writes and the changes it lists. A default in the task template (the stop
 * grace period) would replace the tasks: if the update's real changes do not, the service keeps
 * its value of that field until one does, and the change is not listed.
 */
export function landDefaults(
  changes: readonly FieldChange[],
  desired: ServiceFields,
  observed: ServiceFields,
  taskNodeIds: readonly string[],
): { fields: ServiceFields; changes: FieldChange[] } {
  const real = changes.filter((c) => !isDefaultChange(c));
  const waiting = new Set(
    changes
      .filter((c) => isDefaultChange(c) && specPart(c.field) === "task")
      .map((c) => c.field.split(".", 1)[0] as DefaultedField),
  );
  if (waiting.size === 0 || restartOf(real, desired, taskNodeIds).restarts)
    return { fields: desired, changes: [...changes] };
  const fields: ServiceFields = { ...desired };
  for (const key of waiting) {
    if (observed[key] === undefined) delete fields[key];
    else Object.assign(fields, { [key]: observed[key] });
  }
  return {
    fields: redactOnSerialise(fields),
    changes: changes.filter((c) => !waiting.has(c.field.split(".", 1)[0] as DefaultedField)),
  };
}

/** The defaults the service still lacks once `action` (its create, update, scale or none) ran. */
export function defaultsLeftPending(
  observed: ServiceFields,
  desired: ServiceFields,
  action: Action | undefined,
): DefaultedField[] {
  return pendingDefaults(action?.kind === "update" ? action.fields : observed, desired);
}

/**
 * The one warning for every existing service that does not have the current defaults yet, so that
 * `plan` says why they are not updated for them.
 */
export function pendingDefaultsWarning(
  pending: ReadonlyMap<string, readonly DefaultedField[]>,
): PlanWarning | undefined {
  if (pending.size === 0) return undefined;
  const services = [...pending].map(([app, fields]) => `${app} (${fields.join(", ")})`).join(", ");
  return {
    message:
      `${pending.size} existing service${pending.size === 1 ? " does" : "s do"} not have AlaCrity's current defaults yet: ` +
      `${services}; each gets them with its next update, and none is restarted for them`,
  };
}

/** Swarm cannot update a service from replicated to global or back: it is created again. */
export const changesMode = (observed: ServiceFields, desired: ServiceFields): boolean =>
  (observed.replicas === null) !== (desired.replicas === null);
