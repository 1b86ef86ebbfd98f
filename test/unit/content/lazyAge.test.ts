import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "../../../src");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

// An apply without .age files must not pay for loading the age library (its curves and
// post-quantum code): only a dynamic import() may bring it in, and type imports, which vanish.
describe("the age library", () => {
  it("is imported by no module of src/ except as a type or dynamically", () => {
    const staticImports = sources(SRC).filter((file) =>
      /^\s*(import|export)\s+(?!type\b)[^;]*from\s+["']age-encryption["']/m.test(readFileSync(file, "utf8")),
    );
    expect(staticImports).toEqual([]);
    const dynamic = sources(SRC).filter((file) =>
      readFileSync(file, "utf8").includes('import("age-encryption")'),
    );
    expect(dynamic.map((file) => file.slice(SRC.length))).toEqual(["/content/ageDecrypt.ts"]);
  });
});
