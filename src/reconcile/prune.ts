import { inFailedFile } from "../manifest/failedFiles.js";
import type { DesiredState } from "../manifest/types.js";
import type { ObservedService } from "../swarm/types.js";
import { LABEL } from "../domain/names.js";
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
 * Kept as they are: a service whose name is an invalid document's app, and one whose
 * `alacrity.file` is a file that currently fails, or lies in a directory that does (a broken file
 * must never delete apps).
 * Held back with a warning: every removal when the apps directory is empty or missing (unless
 * allowEmpty), and every removal when the pass would remove more than half of the managed apps
 * and more than two (unless allowMassPrune). The two guards are independent: emptying a
 * directory of many apps needs both flags.
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
    .filter((s) => !invalidNames.has(s.name))
    .filter((s) => {
      const file = s.fields.labels[LABEL.file];
      return file === undefined || !inFailedFile(desired.failedFiles, file);
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((s) => ({ kind: "remove", app: s.name, serviceId: s.id, reason: "app removed" }));

  if (removals.length === 0) return { actions: [], heldBack: [], warnings: [] };

  const warnings: PlanWarning[] = [];
  const names = removals.map((r) => r.app).join(", ");
  if ((desired.fileCount === 0 || desired.missing) && !options.allowEmpty) {
    warnings.push({
      message:
        `the apps directory is ${desired.missing ? "missing" : "empty"}: not removing ${removals.length} ` +
        `managed app(s) (${names}); if that is really what you want, pass --allow-empty`,
    });
  }
  const total = managed.length + created;
  if (removals.length > total / 2 && removals.length > 2 && !options.allowMassPrune) {
    warnings.push({
      message:
        `this pass would remove ${removals.length} of ${total} managed apps (${names}): more than half ` +
        `and more than two, so nothing is removed; if that is really what you want, pass --allow-mass-prune`,
    });
  }
  return warnings.length > 0
    ? { actions: [], heldBack: removals, warnings }
    : { actions: removals, heldBack: [], warnings };
}
