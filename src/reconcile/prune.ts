import type { DesiredState } from "../manifest/types.js";
import type { ObservedService } from "../swarm/types.js";
import { KEEP_FAILED_FILES } from "../rules/invalidFiles.js";
import { EMPTY_DIRECTORY_GUARD, MASS_PRUNE_GUARD } from "../rules/pruneGuards.js";
import type { Action, PlanOptions, PlanWarning } from "./types.js";

export interface PruneResult {
  actions: Action[];
  heldBack: Action[];
  warnings: PlanWarning[];
}

/**
 * Removals of managed services whose app is no longer defined. Never touches volumes, host
 * directories or pin records: the data and the pin outlive the service (CONTRACT §2.7).
 *
 * Kept as they are: the apps of broken files (KEEP_FAILED_FILES, src/rules/invalidFiles.ts).
 * Held back with a warning: every removal when a guard says so (src/rules/pruneGuards.ts).
 */
export function planRemovals(
  desired: DesiredState,
  managed: ObservedService[],
  options: PlanOptions,
  /**
   * Apps this same pass creates. They count as managed for the mass-prune guard: otherwise a pass
   * that creates apps would hold removals back that the very next pass (seeing those apps) lets
   * through, and apply would not be idempotent.
   */
  created = 0,
): PruneResult {
  const invalidNames = new Set(desired.invalid.flatMap((i) => (i.name === undefined ? [] : [i.name])));
  const removals: Action[] = managed
    .filter((s) => !desired.apps.has(s.name))
    .filter((s) => !KEEP_FAILED_FILES.check(s, desired, invalidNames))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((s) => ({ kind: "remove", app: s.name, serviceId: s.id, reason: "app removed" }));

  if (removals.length === 0) return { actions: [], heldBack: [], warnings: [] };

  const seen = { names: removals.map((r) => r.app), total: managed.length + created };
  const warnings: PlanWarning[] = [];
  for (const message of [
    EMPTY_DIRECTORY_GUARD.check(seen, desired, options.allowEmpty),
    MASS_PRUNE_GUARD.check(seen, options.allowMassPrune),
  ]) {
    if (message !== undefined) warnings.push({ message });
  }
  return warnings.length > 0
    ? { actions: [], heldBack: removals, warnings }
    : { actions: removals, heldBack: [], warnings: [] };
}
