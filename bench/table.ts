export interface Row {
  figure: string;
  value: string;
  goal: string;
  /** null for a reference figure that has no goal of its own. */
  met: boolean | null;
}

/** A Markdown table, so the output can be pasted into BENCHMARKS.md as it is. */
export function formatTable(rows: readonly Row[]): string {
  const cells = [
    ["figure", "measured", "goal", "met"],
    ...rows.map((r) => [r.figure, r.value, r.goal, r.met === null ? "-" : r.met ? "yes" : "NO"]),
  ];
  const widths = cells[0]!.map((_, col) => Math.max(...cells.map((row) => row[col]!.length)));
  const line = (row: string[]): string =>
    `| ${row.map((cell, col) => cell.padEnd(widths[col]!)).join(" | ")} |`;
  return [
    line(cells[0]!),
    `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`,
    ...cells.slice(1).map(line),
  ].join("\n");
}
