import type { AppSpec, UpdatePolicySpec } from "../manifest/types.js";
import type { DefaultedField, ServiceFields, UpdatePolicyFields } from "../swarm/types.js";

/**
 * AlaCrity's defaults for the service fields of issue 17, in one place. A field that comes wholly
 * from them is listed in `ServiceFields.defaulted`: written with every create and update, never
 * hashed or compared, so a new default does not redeploy a running service by itself. A field the
 * manifest sets, even in part, is merged over them and is the manifest's.
 */

const SECOND = 1_000_000_000;

/**
 * One task at a time; Swarm rolls a failed update back (AlaCrity then reports it and holds the
 * spec) rather than leaving it paused half-way; 5 s of watching each new task, as Swarm does.
 */
export const DEFAULT_UPDATE_POLICY: UpdatePolicyFields = {
  parallelism: 1,
  delay: 0,
  failureAction: "rollback",
  monitor: 5 * SECOND,
  maxFailureRatio: 0,
};

/** A rollback that fails too stops where it is: rolling a rollback back is not a thing. */
export const DEFAULT_ROLLBACK_POLICY: UpdatePolicyFields = {
  ...DEFAULT_UPDATE_POLICY,
  failureAction: "pause",
};

/** A database gets a minute to shut down cleanly rather than Swarm's 10 s before SIGKILL. */
export const PERSISTENT_STOP_GRACE_PERIOD_NS = 60 * SECOND;

/** The default-bearing fields of an app's service, and which of them are wholly defaults. */
export type DefaultBearingFields = Pick<
  ServiceFields,
  "updateConfig" | "rollbackConfig" | "stopGracePeriod"
> & {
  defaulted: DefaultedField[];
};

/** `updateOrder` is the order the app's updates use (persistent apps: always stop-first). */
export function defaultBearingFields(
  app: AppSpec,
  updateOrder: ServiceFields["updateOrder"],
): DefaultBearingFields {
  const defaulted: DefaultedField[] = [];
  const updateConfig = mergePolicy(DEFAULT_UPDATE_POLICY, app.update);
  if (!setsPolicy(app.update)) defaulted.push("updateConfig");
  const rollbackOrder = app.persistent ? "stop-first" : (app.rollback?.order ?? updateOrder);
  const rollbackConfig = { ...mergePolicy(DEFAULT_ROLLBACK_POLICY, app.rollback), order: rollbackOrder };
  if (!setsPolicy(app.rollback) && app.rollback?.order === undefined) defaulted.push("rollbackConfig");
  const out: DefaultBearingFields = { updateConfig, rollbackConfig, defaulted };
  if (app.stopGracePeriodNs !== undefined) out.stopGracePeriod = app.stopGracePeriodNs;
  else if (app.persistent) {
    out.stopGracePeriod = PERSISTENT_STOP_GRACE_PERIOD_NS;
    defaulted.push("stopGracePeriod");
  }
  return out;
}

/**
 * Whether the manifest sets any of the policy's own fields. `update.order` alone does not: it is
 * `updateOrder`, hashed as it always was.
 */
function setsPolicy(spec: UpdatePolicySpec | undefined): boolean {
  return (
    spec !== undefined &&
    (spec.parallelism !== undefined ||
      spec.delayNs !== undefined ||
      spec.failureAction !== undefined ||
      spec.monitorNs !== undefined ||
      spec.maxFailureRatio !== undefined)
  );
}

function mergePolicy(defaults: UpdatePolicyFields, spec: UpdatePolicySpec | undefined): UpdatePolicyFields {
  return {
    parallelism: spec?.parallelism ?? defaults.parallelism,
    delay: spec?.delayNs ?? defaults.delay,
    failureAction: spec?.failureAction ?? defaults.failureAction,
    monitor: spec?.monitorNs ?? defaults.monitor,
    maxFailureRatio: spec?.maxFailureRatio ?? defaults.maxFailureRatio,
  };
}
