import { printable } from "../../manifest/format.js";
import type { StatusRow } from "../../reconcile/status.js";
import { alignedTable } from "./alignedTable.js";

const HEADERS = ["NAME", "PERSISTENT", "REPLICAS", "NODE", "VOLUMES", "NETWORKS", "STATE", "REASON"] as const;

/** `running (healthy)`: a running app with a health check says that it passed. */
const stateCell = (row: StatusRow): string =>
  row.state === "running" && row.health === "healthy" ? "running (healthy)" : row.state;

/** Apps deployed from Git show the commit they were last changed from, shortened as Git does. */
const shortRevision = (row: StatusRow): string => (row.revision ? row.revision.slice(0, 12) : "-");

function cells(row: StatusRow, withRevision: boolean): string[] {
  const node = row.node ? `${row.node}${row.nodeState ? ` (${row.nodeState})` : ""}` : "-";
  return [
    row.name,
    row.persistent ? "yes" : "no",
    `${row.running}/${row.desired ?? "global"}`,
    node,
    row.volumes.length ? row.volumes.join(",") : "-",
    row.networks.length ? row.networks.join(",") : "-",
    stateCell(row),
    ...(withRevision ? [shortRevision(row)] : []),
    row.reason || "-",
  ].map(printable);
}

/** One row per app, the reason last and unpadded. */
export function renderStatusTable(rows: readonly StatusRow[]): string {
  if (rows.length === 0) return "No managed apps.";
  const withRevision = rows.some((row) => row.revision !== undefined);
  const headers: readonly string[] = withRevision ? [...HEADERS.slice(0, 7), "REVISION", "REASON"] : HEADERS;
  return alignedTable([headers, ...rows.map((row) => cells(row, withRevision))]);
}
