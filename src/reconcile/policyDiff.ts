import { LEGACY_UPDATE_POLICY } from "../domain/legacyUpdatePolicy.js";
import type {
  DefaultedField,
  HealthcheckFields,
  RestartPolicyFields,
  ServiceFields,
  UpdatePolicyFields,
} from "../swarm/types.js";
import { formatDuration } from "../manifest/durations.js";
import type { FieldChange } from "./types.js";

/**
 * The fields of issue 17 (health check, update and rollback policy, restart policy, stop grace
 * period, placement preferences), diffed one sub-field at a time and compared exactly. A field
 * the desired side lists in `defaulted` holds AlaCrity's default: its change is listed, marked
 * `(AlaCrity's default)`, but is no reason for an update (see `isDefaultChange`).
 */

/** What the `to` of a change to one of AlaCrity's defaults ends with. */
export const DEFAULT_MARK = " (AlaCrity's default)";

const SWARM_DEFAULT = "(Swarm's default)";
const DEFAULTED: ReadonlySet<string> = new Set<DefaultedField>([
  "updateConfig",
  "rollbackConfig",
  "stopGracePeriod",
]);

/** A change that only brings one of AlaCrity's defaults, which alone plans nothing. */
export function isDefaultChange(change: FieldChange): boolean {
  return DEFAULTED.has(change.field.split(".", 1)[0] ?? "") && change.to.endsWith(DEFAULT_MARK);
}

type Rollback = NonNullable<ServiceFields["rollbackConfig"]>;

/** A service without a policy has the one AlaCrity wrote before issue 17 (legacyUpdatePolicy.ts). */
const updatePolicyOf = (f: ServiceFields): UpdatePolicyFields => f.updateConfig ?? LEGACY_UPDATE_POLICY;
const rollbackPolicyOf = (f: ServiceFields): Rollback =>
  f.rollbackConfig ?? { ...LEGACY_UPDATE_POLICY, order: f.updateOrder };

/** Both sides normalised (normalize.ts). */
export function diffPolicies(a: ServiceFields, b: ServiceFields): FieldChange[] {
  const changes: FieldChange[] = [];
  const defaulted = new Set(b.defaulted ?? []);
  const scalar = (field: string, from: string, to: string, mark = false): void => {
    if (from !== to) changes.push({ field, from, to: mark ? `${to}${DEFAULT_MARK}` : to });
  };

  if (a.healthcheck !== undefined || b.healthcheck !== undefined) {
    const x = a.healthcheck;
    const y = b.healthcheck;
    scalar("healthcheck.test", formatTest(x), formatTest(y));
    for (const key of ["interval", "timeout", "startPeriod"] as const) {
      scalar(`healthcheck.${key}`, optionalDuration(x?.[key]), optionalDuration(y?.[key]));
    }
    scalar("healthcheck.retries", optionalNumber(x?.retries), optionalNumber(y?.retries));
  }

  const policy = (field: "updateConfig" | "rollbackConfig", x: UpdatePolicyFields, y: UpdatePolicyFields) => {
    const mark = defaulted.has(field);
    scalar(`${field}.parallelism`, formatParallelism(x.parallelism), formatParallelism(y.parallelism), mark);
    scalar(`${field}.delay`, formatDuration(x.delay), formatDuration(y.delay), mark);
    scalar(`${field}.failureAction`, x.failureAction, y.failureAction, mark);
    scalar(`${field}.monitor`, formatMonitor(x.monitor), formatMonitor(y.monitor), mark);
    scalar(`${field}.maxFailureRatio`, String(x.maxFailureRatio), String(y.maxFailureRatio), mark);
  };
  policy("updateConfig", updatePolicyOf(a), updatePolicyOf(b));
  const rollbackA = rollbackPolicyOf(a);
  const rollbackB = rollbackPolicyOf(b);
  policy("rollbackConfig", rollbackA, rollbackB);
  scalar("rollbackConfig.order", rollbackA.order, rollbackB.order, defaulted.has("rollbackConfig"));

  if (a.restartPolicy !== undefined || b.restartPolicy !== undefined) {
    const x = a.restartPolicy;
    const y = b.restartPolicy;
    scalar("restartPolicy.condition", x?.condition ?? SWARM_DEFAULT, y?.condition ?? SWARM_DEFAULT);
    scalar("restartPolicy.delay", optionalDuration(x?.delay), optionalDuration(y?.delay));
    scalar("restartPolicy.maxAttempts", formatAttempts(x), formatAttempts(y));
    scalar("restartPolicy.window", optionalDuration(x?.window), optionalDuration(y?.window));
  }

  scalar(
    "stopGracePeriod",
    optionalDuration(a.stopGracePeriod),
    optionalDuration(b.stopGracePeriod),
    defaulted.has("stopGracePeriod"),
  );
  scalar(
    "placementPreferences",
    formatPreferences(a.placementPreferences),
    formatPreferences(b.placementPreferences),
  );
  return changes;
}

/**
 * True when `diffPolicies(old, next)` finds nothing but AlaCrity's defaults: exact for each field,
 * with a defaulted one not compared at all. `next` must be normalised.
 */
export function samePolicies(old: ServiceFields, next: ServiceFields): boolean {
  const defaulted = next.defaulted;
  const compared = (field: DefaultedField): boolean => defaulted === undefined || !defaulted.includes(field);
  return (
    sameHealthcheck(old.healthcheck, next.healthcheck) &&
    (!compared("updateConfig") || samePolicy(updatePolicyOf(old), updatePolicyOf(next))) &&
    (!compared("rollbackConfig") || sameRollback(rollbackPolicyOf(old), rollbackPolicyOf(next))) &&
    sameRestartPolicy(old.restartPolicy, next.restartPolicy) &&
    (!compared("stopGracePeriod") || old.stopGracePeriod === next.stopGracePeriod) &&
    sameStrings(old.placementPreferences, next.placementPreferences)
  );
}

/**
 * The defaulted fields whose value the service does not have yet: they land with its next real
 * update (`plan` says so in one warning).
 */
export function pendingDefaults(old: ServiceFields, next: ServiceFields): DefaultedField[] {
  return (next.defaulted ?? []).filter((field) => {
    switch (field) {
      case "updateConfig":
        return !samePolicy(updatePolicyOf(old), updatePolicyOf(next));
      case "rollbackConfig":
        return !sameRollback(rollbackPolicyOf(old), rollbackPolicyOf(next));
      case "stopGracePeriod":
        return old.stopGracePeriod !== next.stopGracePeriod;
    }
    return false;
  });
}

function sameHealthcheck(a: HealthcheckFields | undefined, b: HealthcheckFields | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    sameStrings(a.test, b.test) &&
    (a.interval || 0) === (b.interval || 0) &&
    (a.timeout || 0) === (b.timeout || 0) &&
    (a.retries || 0) === (b.retries || 0) &&
    (a.startPeriod || 0) === (b.startPeriod || 0)
  );
}

function samePolicy(a: UpdatePolicyFields, b: UpdatePolicyFields): boolean {
  return (
    a.parallelism === b.parallelism &&
    a.delay === b.delay &&
    a.failureAction === b.failureAction &&
    a.monitor === b.monitor &&
    a.maxFailureRatio === b.maxFailureRatio
  );
}

const sameRollback = (a: Rollback, b: Rollback): boolean => samePolicy(a, b) && a.order === b.order;

function sameRestartPolicy(a: RestartPolicyFields | undefined, b: RestartPolicyFields | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.condition === b.condition &&
    a.delay === b.delay &&
    (a.maxAttempts || 0) === (b.maxAttempts || 0) &&
    (a.window || 0) === (b.window || 0)
  );
}

/** An empty list is the same as none. */
function sameStrings(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** `["CMD", ...]` and `["CMD-SHELL", text]` as JSON; `none` disables the image's check. */
export function formatTest(h: HealthcheckFields | undefined): string {
  if (h === undefined) return "(image's own)";
  if (h.test.length === 1 && h.test[0] === "NONE") return "none";
  return JSON.stringify(h.test);
}

const optionalDuration = (ns: number | undefined): string =>
  ns === undefined ? SWARM_DEFAULT : formatDuration(ns);
const optionalNumber = (n: number | undefined): string => (n === undefined ? SWARM_DEFAULT : String(n));
const formatParallelism = (n: number): string => (n === 0 ? "0 (all at once)" : String(n));
/** A monitor of 0 is Swarm's own 5 s. */
const formatMonitor = (ns: number): string => (ns === 0 ? `${SWARM_DEFAULT} 5s` : formatDuration(ns));
/** Swarm's default, and 0, are no limit. */
const formatAttempts = (r: RestartPolicyFields | undefined): string =>
  r?.maxAttempts ? String(r.maxAttempts) : "unlimited";

export function formatPreferences(preferences: readonly string[] | undefined): string {
  return preferences?.length ? preferences.map((p) => `spread ${p}`).join(", ") : "(none)";
}
