import { LABEL } from "../domain/names.js";
import type { Plan } from "../reconcile/types.js";
import type { ObservedState } from "../swarm/types.js";

/**
 * The spec hash each app should run once `apply` is done, for `waitForTasks`: what a create or
 * update wrote, a held app's manifest spec (which Swarm rolled back), else the service's own
 * (nothing was to change). So a rollback counts only while the manifest's spec is not running.
 */
export function expectedHashes(observed: ObservedState, plan: Plan): Map<string, string> {
  const hashes = new Map<string, string>();
  const set = (app: string, hash: string | undefined): void => {
    if (hash !== undefined) hashes.set(app, hash);
  };
  for (const service of observed.services) set(service.name, service.fields.labels[LABEL.hash]);
  for (const held of plan.held ?? []) set(held.app, held.hash);
  for (const action of plan.actions) {
    if (action.kind === "create" || action.kind === "update")
      set(action.app, action.fields.labels[LABEL.hash]);
  }
  return hashes;
}
