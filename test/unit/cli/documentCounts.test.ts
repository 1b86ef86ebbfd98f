import { describe, expect, it } from "vitest";
import { documentCounts } from "../../../src/cli/documentCounts.js";

const of = (n: number) => new Map(Array.from({ length: n }, (_, i) => [String(i), {} as never]));

describe("documentCounts", () => {
  it("names apps only when nothing else is declared", () => {
    expect(documentCounts({ apps: of(1) })).toBe("1 app");
    expect(documentCounts({ apps: of(0), networks: of(0) })).toBe("0 apps");
  });

  it("adds the other kinds declared", () => {
    expect(documentCounts({ apps: of(3), networks: of(1), secrets: of(2), configs: of(1) })).toBe(
      "3 apps, 1 network, 2 secrets, 1 config",
    );
  });
});
