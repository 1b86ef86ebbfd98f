import { DUPLICATE_APP_NAMES } from "../manifest/duplicates.js";
import { formatPath } from "../manifest/format.js";
import {
  DOCUMENT_RULES,
  NODE_NEEDS_PERSISTENCE,
  PERSISTENT_NOT_GLOBAL,
  PERSISTENT_PLACEMENT,
  PERSISTENT_REPLICAS,
  PERSISTENT_STOP_FIRST,
  UNIQUE_CONTAINER_PATHS,
  UNIQUE_PUBLISHED_PORTS,
  VOLUMES_NEED_PERSISTENCE,
  type AppRule,
} from "../manifest/rules.js";
import type { AppSpec, DesiredState, ManifestError } from "../manifest/types.js";
import type { ObservedService } from "../swarm/types.js";
import { HOST_PATH_POLICY } from "./hostPaths.js";
import { INVALID_MANIFEST, KEEP_FAILED_FILES } from "./invalidFiles.js";
import { SERVICE_RENAME_REFUSED, UNMANAGED_CONFLICT } from "./ownership.js";
import { NO_ELIGIBLE_NODE, PERSISTENCE_DROP_REFUSED, PIN_MOVE_REFUSED, UNKNOWN_NODE } from "./pinning.js";
import { EMPTY_DIRECTORY_GUARD, MASS_PRUNE_GUARD } from "./pruneGuards.js";
import { CONTENT_UNAVAILABLE, NETWORK_UNAVAILABLE } from "./resources.js";
import type { AppPlanRule, AppRuleOptions, Rejection, Rule, RuleId } from "./rule.js";
import { STORAGE_CONFLICT } from "./storage.js";
import { STORAGE_IN_USE } from "./foreignMounts.js";
import { EXTERNAL_VOLUME_MISSING } from "./externalVolumes.js";

/*
 * Every rule AlaCrity enforces, by name. Each is defined once, with its id, its check and its
 * message, in the file named for what it guards (the README's "Rules" table lists them all):
 * - the loader runs the rules on one document and on the whole load (src/manifest/*Rules.ts,
 *   src/manifest/duplicates.ts) and `validate` prints what they find;
 * - `validate` and the planner run the rules on one app through `policyErrors` and
 *   `firstRejection` below, and the planner runs the others at their stage (pins, storage, prune).
 * A new rule is one entry: define it in its group's file and list it here (and its id in RuleId).
 */

/** A rule on one app as the planner checks it: the first problem rejects the app. */
function planned(rule: AppRule<RuleId>): AppPlanRule {
  return {
    id: rule.id,
    title: rule.title,
    contract: rule.contract,
    input: rule.input,
    reject: (app) => {
      const [problem] = rule.check(app);
      if (!problem) return undefined;
      const field = formatPath(problem.path);
      return {
        app: app.name,
        rule: rule.id,
        message: `${field}: ${problem.message}`,
        position: app.positions[field] ?? app.source,
      };
    },
  };
}

/**
 * The rules the planner checks on each app before storage and placement, in order; the first that
 * rejects the app decides. The loader has checked the "app" ones already: the planner checks them
 * again rather than trust its input.
 */
const PLAN_APP_RULES: readonly AppPlanRule[] = [
  UNMANAGED_CONFLICT,
  SERVICE_RENAME_REFUSED,
  planned(PERSISTENT_REPLICAS),
  HOST_PATH_POLICY,
  planned(VOLUMES_NEED_PERSISTENCE),
  planned(NODE_NEEDS_PERSISTENCE),
  planned(UNIQUE_CONTAINER_PATHS),
  planned(UNIQUE_PUBLISHED_PORTS),
  planned(PERSISTENT_STOP_FIRST),
  planned(PERSISTENT_NOT_GLOBAL),
  planned(PERSISTENT_PLACEMENT),
  PERSISTENCE_DROP_REFUSED,
];

/** Every rule, grouped as they are checked: one document, one app, all apps, pins, removals. */
export const RULES: readonly Rule[] = [
  ...DOCUMENT_RULES,
  DUPLICATE_APP_NAMES,
  INVALID_MANIFEST,
  UNMANAGED_CONFLICT,
  SERVICE_RENAME_REFUSED,
  HOST_PATH_POLICY,
  PERSISTENCE_DROP_REFUSED,
  STORAGE_CONFLICT,
  STORAGE_IN_USE,
  EXTERNAL_VOLUME_MISSING,
  PIN_MOVE_REFUSED,
  UNKNOWN_NODE,
  NO_ELIGIBLE_NODE,
  NETWORK_UNAVAILABLE,
  CONTENT_UNAVAILABLE,
  KEEP_FAILED_FILES,
  EMPTY_DIRECTORY_GUARD,
  MASS_PRUNE_GUARD,
];

/** The first rule on one app that rejects it, as the planner reports it; undefined when none does. */
export function firstRejection(
  app: AppSpec,
  service: ObservedService | undefined,
  options: AppRuleOptions,
): Rejection | undefined {
  for (const rule of PLAN_APP_RULES) {
    const rejection = rule.reject(app, service, options);
    if (rejection) return rejection;
  }
  return undefined;
}

/**
 * What `validate` adds to the loader's errors: the rules on one app that depend on the operator's
 * policy (the host paths allowed), offline, so no symlink is resolved (the planner checks those
 * where it can see them).
 */
export function policyErrors(
  state: DesiredState,
  allowHostPaths: readonly string[] | undefined,
): ManifestError[] {
  return [...state.apps.values()].flatMap((app) =>
    HOST_PATH_POLICY.check(app, allowHostPaths).map((v) => ({
      ...v.position,
      path: v.field,
      message: v.message,
    })),
  );
}
