import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { RULES } from "../../../src/rules/registry.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/**
 * The clauses of CONTRACT.md §2 and §3 that are checks (the others hold by construction and the
 * README names where). The contract is fixed, so its clauses are too.
 */
const CHECKED_CLAUSES = ["§2.2", "§2.3", "§2.6", "§2.8", "§2.9", "§3.1", "§3.2", "§3.3", "§3.4"];

interface Row {
  id: string;
  name: string;
  contract: string;
  file: string;
  tests: string[];
}

/** The rows of the table under the README's "## Rules" heading. */
function readmeRows(): Row[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("\n## Rules\n");
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf("\n## ", start + 1);
  const cells = (line: string) =>
    line
      .split("|")
      .slice(1, -1)
      .map((cell) => cell.trim());
  const unquote = (cell: string) => cell.replace(/^`|`$/g, "");
  return readme
    .slice(start, end)
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => {
      const [id = "", name = "", contract = "", file = "", tests = ""] = cells(line);
      return {
        id: unquote(id),
        name: unquote(name),
        contract,
        file: unquote(file),
        tests: tests.split(",").map((t) => unquote(t.trim())),
      };
    });
}

describe("the README's table of rules", () => {
  const rows = readmeRows();

  it("has one row per rule of the registry, and no other", () => {
    expect(rows.map((r) => r.id).sort()).toEqual(RULES.map((r) => r.id).sort());
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it.each(rows)(
    "$id: its file exports $name, the very entry the registry lists, with that clause",
    async (row) => {
      const module = (await import(join(ROOT, row.file))) as Record<
        string,
        { id?: string; contract?: string }
      >;
      expect(module[row.name]?.id).toBe(row.id);
      const rule = RULES.find((r) => r.id === row.id);
      expect(rule).toBe(module[row.name]?.id === undefined ? undefined : rule);
      expect(row.contract).toBe(rule?.contract);
      expect(module[row.name]?.contract).toBe(rule?.contract);
    },
  );

  it.each(rows)("$id: every test file named exists and tests that rule by id or name", (row) => {
    expect(row.tests.length).toBeGreaterThan(0);
    for (const test of row.tests) {
      const path = join(ROOT, test);
      expect(existsSync(path), test).toBe(true);
      const text = readFileSync(path, "utf8");
      expect(text.includes(row.id) || text.includes(row.name), `${test} names ${row.id}`).toBe(true);
    }
  });

  it("every clause of the contract that is a check has a rule", () => {
    const clauses = new Set(RULES.map((r) => r.contract));
    expect(CHECKED_CLAUSES.filter((clause) => !clauses.has(clause))).toEqual([]);
  });
});
