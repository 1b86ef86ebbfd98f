import { printable } from "../../manifest/format.js";
import { commandPlace, dataUse } from "../../reconcile/inventory.js";
import type { DataEntry, DataInventory } from "../../reconcile/inventory.js";
import { alignedTable } from "./alignedTable.js";

const HEADERS = ["APP", "NODE", "DATA", "SIZE", "APP STATE", "NODE STATE"] as const;

/** 1.5 MB, 12 kB, 0 B: powers of 1000, as `docker system df` prints them. */
export function humanSize(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function cells(e: DataEntry): string[] {
  return [
    e.app,
    `${e.hostname}${e.hostname === e.nodeId ? "" : ` (${e.nodeId.slice(0, 12)})`}`,
    `${e.kind === "volume" ? "volume" : "host path"} ${e.name}`,
    e.sizeBytes === undefined ? "-" : humanSize(e.sizeBytes),
    dataUse(e),
    e.nodeState ?? "not in the Swarm",
  ].map(printable);
}

/** The table, then for each piece of data no app uses the commands that delete it. */
export function renderDataTable(inventory: DataInventory): string {
  const { entries, releases } = inventory;
  if (entries.length === 0 && releases.length === 0) return "No persistent data recorded.";
  const lines = entries.length > 0 ? [alignedTable([HEADERS, ...entries.map(cells)])] : [];
  const deletable = entries.filter((e) => e.deleteCommands?.length);
  if (deletable.length > 0 || releases.length > 0) {
    lines.push("", "To delete what no app uses (the data is gone for good):");
    for (const e of deletable) {
      lines.push(printable(`  ${e.app}: ${e.kind === "volume" ? "volume" : "host path"} ${e.name}`));
      for (const c of e.deleteCommands ?? []) lines.push(printable(`    ${commandPlace(c)}: ${c.command}`));
    }
    for (const r of releases)
      lines.push(
        printable(
          `  ${r.app}: no data left on ${r.hostname}; release its pin ${commandPlace(r.command)}: ${r.command.command}`,
        ),
      );
  }
  return lines.join("\n");
}
