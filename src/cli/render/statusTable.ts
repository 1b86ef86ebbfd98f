import type { StatusRow } from "../../reconcile/status.js";

const HEADERS = ["NAME", "PERSISTENT", "REPLICAS", "NODE", "VOLUMES", "STATE", "REASON"] as const;

function cells(row: StatusRow): string[] {
  const node = row.node ? `${row.node}${row.nodeState ? ` (${row.nodeState})` : ""}` : "-";
  return [
    row.name,
    row.persistent ? "yes" : "no",
    `${row.running}/${row.desired ?? "global"}`,
    node,
    row.volumes.length ? row.volumes.join(",") : "-",
    row.state,
    row.reason || "-",
  ];
}

/** A plain aligned table, the last column (the reason) left unpadded so long reasons stay readable. */
export function renderStatusTable(rows: readonly StatusRow[]): string {
  if (rows.length === 0) return "No managed apps.";
  const table = [HEADERS as readonly string[], ...rows.map(cells)];
  const widths = HEADERS.map((_, i) => Math.max(...table.map((r) => (r[i] ?? "").length)));
  return table
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
