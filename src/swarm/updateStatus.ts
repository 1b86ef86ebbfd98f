import type { ObservedUpdateStatus } from "./types.js";

/** `Service.UpdateStatus` as the Engine API lists it. */
export interface RawUpdateStatus {
  State?: string;
  Message?: string;
  StartedAt?: string;
  CompletedAt?: string;
}

/**
 * Seen on Docker 20.10 after an update whose task failed (exited, or was killed as unhealthy:
 * its Status.Err is "task: non-zero exit (137): dockerexec: unhealthy container"):
 * with failureAction rollback, the state goes from `updating` to `rollback_started`, whose message
 * is "update rolled back due to failure or early termination of task <id>", with the Spec already
 * the previous one and PreviousSpec cleared; then `rollback_completed`, "rollback completed".
 * With failureAction pause: `paused`, "update paused due to failure or early termination of task
 * <id>", the Spec still the failed one and PreviousSpec kept. A manual `docker service rollback`
 * also ends in `rollback_completed` but swaps Spec and PreviousSpec.
 */
export function updateStatusFromRaw(raw: RawUpdateStatus | undefined): ObservedUpdateStatus | undefined {
  if (!raw?.State) return undefined;
  const status: ObservedUpdateStatus = { state: raw.State, message: raw.Message ?? "" };
  if (raw.StartedAt) status.startedAt = raw.StartedAt;
  if (raw.CompletedAt) status.completedAt = raw.CompletedAt;
  return status;
}
