import { nsOf } from "./durationSchema.js";
import type { AppManifest } from "./schema.js";
import type {
  AppSpec,
  HealthcheckSpec,
  PlacementSpec,
  RestartPolicySpec,
  UpdatePolicySpec,
} from "./types.js";

/*
 * The fields of issue 17 (health check, update, rollback, restart, stop grace period, mode,
 * placement) as an AppSpec holds them: durations in nanoseconds, the health check's test as Swarm
 * takes it. An app that sets none of them gets none of the keys: its service's hash must not change.
 */

type Spec = AppManifest["spec"];
type DeployFields = Pick<
  AppSpec,
  "healthcheck" | "update" | "rollback" | "restart" | "stopGracePeriodNs" | "mode" | "placement"
>;

export function deployOf(spec: Spec): DeployFields {
  const out: DeployFields = {};
  if (spec.healthcheck !== undefined) out.healthcheck = healthcheckOf(spec.healthcheck);
  if (spec.update !== undefined) out.update = policyOf(spec.update);
  if (spec.rollback !== undefined) out.rollback = policyOf(spec.rollback);
  if (spec.restart !== undefined) out.restart = restartOf(spec.restart);
  if (spec.stopGracePeriod !== undefined) out.stopGracePeriodNs = nsOf(spec.stopGracePeriod);
  if (spec.mode !== undefined) out.mode = spec.mode;
  if (spec.placement !== undefined) out.placement = placementOf(spec.placement);
  return out;
}

/** The paths (below `spec`) of the fields an app sets, for `AppSpec.positions`. */
export function deployPaths(spec: Spec): PropertyKey[][] {
  const paths: PropertyKey[][] = [];
  const mapFields = (field: string, value: object | undefined) => {
    if (value === undefined) return;
    paths.push([field], ...Object.keys(value).map((key) => [field, key]));
  };
  mapFields("healthcheck", typeof spec.healthcheck === "string" ? {} : spec.healthcheck);
  mapFields("update", spec.update);
  mapFields("rollback", spec.rollback);
  mapFields("restart", spec.restart);
  mapFields("placement", spec.placement);
  spec.placement?.constraints?.forEach((_, i) => paths.push(["placement", "constraints", i]));
  spec.placement?.preferences?.forEach((_, i) =>
    paths.push(["placement", "preferences", i], ["placement", "preferences", i, "spread"]),
  );
  if (spec.stopGracePeriod !== undefined) paths.push(["stopGracePeriod"]);
  if (spec.mode !== undefined) paths.push(["mode"]);
  return paths;
}

function healthcheckOf(healthcheck: NonNullable<Spec["healthcheck"]>): HealthcheckSpec {
  if (healthcheck === "none") return { test: ["NONE"] };
  const { test, interval, timeout, retries, startPeriod } = healthcheck;
  return {
    test: typeof test === "string" ? ["CMD-SHELL", test] : test,
    ...(interval !== undefined ? { intervalNs: nsOf(interval) } : {}),
    ...(timeout !== undefined ? { timeoutNs: nsOf(timeout) } : {}),
    ...(retries !== undefined ? { retries } : {}),
    ...(startPeriod !== undefined ? { startPeriodNs: nsOf(startPeriod) } : {}),
  };
}

function policyOf(policy: NonNullable<Spec["update"]>): UpdatePolicySpec {
  const { parallelism, delay, failureAction, monitor, maxFailureRatio, order } = policy;
  return {
    ...(parallelism !== undefined ? { parallelism } : {}),
    ...(delay !== undefined ? { delayNs: nsOf(delay) } : {}),
    ...(failureAction !== undefined ? { failureAction } : {}),
    ...(monitor !== undefined ? { monitorNs: nsOf(monitor) } : {}),
    ...(maxFailureRatio !== undefined ? { maxFailureRatio } : {}),
    ...(order !== undefined ? { order } : {}),
  };
}

function restartOf(restart: NonNullable<Spec["restart"]>): RestartPolicySpec {
  const { condition, delay, maxAttempts, window } = restart;
  return {
    ...(condition !== undefined ? { condition } : {}),
    ...(delay !== undefined ? { delayNs: nsOf(delay) } : {}),
    ...(maxAttempts !== undefined ? { maxAttempts } : {}),
    ...(window !== undefined ? { windowNs: nsOf(window) } : {}),
  };
}

function placementOf(placement: NonNullable<Spec["placement"]>): PlacementSpec {
  return {
    constraints: placement.constraints ?? [],
    preferences: (placement.preferences ?? []).map((p) => p.spread),
    ...(placement.maxReplicasPerNode !== undefined
      ? { maxReplicasPerNode: placement.maxReplicasPerNode }
      : {}),
  };
}
