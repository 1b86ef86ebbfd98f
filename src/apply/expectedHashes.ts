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

/**
 * The spec hash the new tasks of each app carry when `apply` replaces them: a create, or an
 * update that restarts (the executor keeps the old task label only when it does not), for
 * `waitForTasks`' `taskHashes`.
 */
export function startedTaskHashes(plan: Plan): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const action of plan.actions) {
    const replaces = action.kind === "create" || (action.kind === "update" && action.restarts !== false);
    const hash = replaces ? action.fields.labels[LABEL.hash] : undefined;
    if (hash !== undefined) hashes.set(action.app, hash);
  }
  return hashes;
}
