import type { MaintenanceRecord } from "../swarm/types.js";
import type { BusyApp } from "./types.js";

/**
 * Apps under a backup, restore or move (a maintenance record, see swarm/types.ts): the command
 * that stopped them starts them again, so the planner gives them no action of any kind, not even
 * a removal, until the record is gone.
 */
export function maintenanceByApp(
  records: readonly MaintenanceRecord[] | undefined,
): Map<string, MaintenanceRecord> {
  const byApp = new Map<string, MaintenanceRecord>();
  for (const record of records ?? []) if (!byApp.has(record.app)) byApp.set(record.app, record);
  return byApp;
}

/** What plan, apply and status say of an app under maintenance. */
export function maintenanceMessage(record: MaintenanceRecord): string {
  const by = record.by ? ` (${record.by})` : "";
  const since = record.since ? ` since ${record.since}` : "";
  return (
    `stopped by \`alacrity ${record.operation} ${record.app}\`${by}${since}; ` +
    `that command starts it again when it ends (if it was killed, run it again to finish)`
  );
}

export const busyApp = (record: MaintenanceRecord): BusyApp => ({
  app: record.app,
  operation: record.operation,
  message: maintenanceMessage(record),
});
