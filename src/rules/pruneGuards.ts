import type { DesiredState } from "../manifest/types.js";
import type { StageRule } from "./rule.js";

/*
 * CONTRACT §3.3 and §3.4: removals that look like an accident are held back with a warning unless
 * the user allows them. The two guards are independent: emptying a directory of many apps needs
 * both flags. Each check returns the warning, or undefined when the removals may go ahead.
 */

/** What a guard sees of a pass's removals. */
export interface Removals {
  /** The apps the pass would remove, in name order. */
  names: readonly string[];
  /** Managed apps, counting those the same pass creates. */
  total: number;
}

export const EMPTY_DIRECTORY_GUARD = {
  id: "empty-directory-guard",
  title: "An empty or missing apps directory removes nothing unless --allow-empty",
  contract: "§3.3",
  input: "removals",
  check: (removals: Removals, desired: DesiredState, allowEmpty: boolean): string | undefined => {
    if ((desired.fileCount !== 0 && !desired.missing) || allowEmpty) return undefined;
    return (
      `the apps directory is ${desired.missing ? "missing" : "empty"}: not removing ${removals.names.length} ` +
      `managed app(s) (${removals.names.join(", ")}); if that is really what you want, pass --allow-empty`
    );
  },
} as const satisfies StageRule;

export const MASS_PRUNE_GUARD = {
  id: "mass-prune-guard",
  title: "A pass removes more than half of the managed apps, and more than two, only with --allow-mass-prune",
  contract: "§3.4",
  input: "removals",
  check: ({ names, total }: Removals, allowMassPrune: boolean): string | undefined => {
    if (names.length <= total / 2 || names.length <= 2 || allowMassPrune) return undefined;
    return (
      `this pass would remove ${names.length} of ${total} managed apps (${names.join(", ")}): more than half ` +
      `and more than two, so nothing is removed; if that is really what you want, pass --allow-mass-prune`
    );
  },
} as const satisfies StageRule;
