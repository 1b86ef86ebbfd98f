/** A plain aligned table, the last column left unpadded so long texts in it stay readable. */
export function alignedTable(table: readonly (readonly string[])[]): string {
  const columns = Math.max(...table.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, i) =>
    Math.max(...table.map((r) => (r[i] ?? "").length)),
  );
  return table
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
