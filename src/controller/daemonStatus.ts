import type { DesiredState } from "../manifest/types.js";
import { summarizeStatus, type StatusRow } from "../reconcile/status.js";
import type { Plan } from "../reconcile/types.js";
import type { ObservedState } from "../swarm/types.js";
import type { SyncStatus } from "./syncStatus.js";

/** The daemon's own view, for `/status`, `/readyz` and logs. */
export interface DaemonStatus {
  ready: boolean;
  reason?: string;
  dockerReachable: boolean;
  firstSyncDone: boolean;
  /** ISO time of the last full resync that reconciled every app without a retryable failure. */
  lastSuccessfulSync?: string;
  apps: StatusRow[];
}

const NOTHING_OBSERVED: ObservedState = { services: [], tasks: [], nodes: [], volumes: [], pins: [] };

/**
 * One row per app, as `alacrity status` shows them, from the latest observed state and plan; an
 * app whose last attempt failed says so, unless its manifest is invalid or rejected (which says
 * more).
 */
export function appStatusRows(
  observed: ObservedState | undefined,
  desired: DesiredState | undefined,
  plan: Plan | undefined,
  instance: string,
  lastError: (app: string) => string | undefined,
): StatusRow[] {
  const rows = summarizeStatus(observed ?? NOTHING_OBSERVED, desired, plan, { instance });
  for (const row of rows) {
    const error = lastError(row.name);
    if (error !== undefined && row.state !== "invalid" && row.state !== "rejected") {
      row.state = "failed";
      row.reason = `last attempt failed: ${error}`;
    }
  }
  return rows;
}

export function daemonStatus(sync: SyncStatus, apps: StatusRow[]): DaemonStatus {
  const readiness = sync.readiness();
  const status: DaemonStatus = {
    ready: readiness.ready,
    dockerReachable: sync.dockerReachable,
    firstSyncDone: sync.firstSyncDone,
    apps,
  };
  if (readiness.reason !== undefined) status.reason = readiness.reason;
  const lastSync = sync.lastSuccessfulSync;
  if (lastSync !== undefined) status.lastSuccessfulSync = new Date(lastSync).toISOString();
  return status;
}
