/**
 * The update and rollback policy every service created before issue 17 carries: AlaCrity wrote
 * `UpdateConfig {Parallelism 1, FailureAction pause, Order}` and `RollbackConfig {Parallelism 1,
 * Order}`, which Swarm stores as these values (a rollback's failure action defaults to pause; a
 * monitor of 0 is Swarm's own 5 s). The Swarm layer reads that shape back as "no policy set", and
 * the planner compares "no policy set" as this shape, so that those services plan nothing.
 */
export const LEGACY_UPDATE_POLICY = {
  parallelism: 1,
  delay: 0,
  failureAction: "pause",
  monitor: 0,
  maxFailureRatio: 0,
} as const;

/** Whether `policy` is exactly the legacy policy (the order is compared by the caller). */
export function isLegacyUpdatePolicy(policy: {
  parallelism: number;
  delay: number;
  failureAction: string;
  monitor: number;
  maxFailureRatio: number;
}): boolean {
  return (
    policy.parallelism === LEGACY_UPDATE_POLICY.parallelism &&
    policy.delay === LEGACY_UPDATE_POLICY.delay &&
    policy.failureAction === LEGACY_UPDATE_POLICY.failureAction &&
    policy.monitor === LEGACY_UPDATE_POLICY.monitor &&
    policy.maxFailureRatio === LEGACY_UPDATE_POLICY.maxFailureRatio
  );
}
