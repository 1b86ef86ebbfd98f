import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { keyEntry, keyTableMarkdown, KEY_TABLE } from "../../../../src/compose/convert/supportedKeys.js";

const README = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");

describe("the table of compose keys", () => {
  it("is the README's list, generated", () => {
    const start = README.indexOf("<!-- compose-keys:start -->");
    const end = README.indexOf("<!-- compose-keys:end -->");
    expect(start).toBeGreaterThan(0);
    expect(README.slice(start + "<!-- compose-keys:start -->".length, end).trim()).toBe(keyTableMarkdown());
  });

  it("answers for every key it lists, and for none it does not", () => {
    for (const [section, keys] of Object.entries(KEY_TABLE)) {
      for (const key of Object.keys(keys))
        expect(keyEntry(section as keyof typeof KEY_TABLE, key)).toBeDefined();
    }
    expect(keyEntry("service", "no_such_key")).toBeUndefined();
  });
});
