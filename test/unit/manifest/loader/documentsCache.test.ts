import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { isParsedManifest } from "../../../../src/manifest/loader/cacheFile.js";
import { DiskParseCache } from "../../../../src/manifest/loader/diskParseCache.js";
import { parseManifest } from "../../../../src/manifest/parseManifest.js";

/*
 * Network, Secret and Config documents in the disk parse cache (issue 16): what a parse gives
 * comes back unchanged, and a result of the old shape (no such arrays) is not taken.
 */

const dir = mkdtempSync(join(tmpdir(), "ha-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/);
const documentText = fc.oneof(
  fc
    .record({ name, internal: fc.boolean(), encrypted: fc.boolean() })
    .map(
      ({ name, internal, encrypted }) =>
        `kind: Network\nmetadata: {name: ${name}}\nspec: {internal: ${internal}, encrypted: ${encrypted}}`,
    ),
  fc
    .record({ name, source: fc.constantFrom("file: a/b.txt", "env: PW", "external: shared") })
    .map(({ name, source }) => `kind: Secret\nmetadata: {name: ${name}}\nspec: {${source}}`),
  fc
    .record({ name, data: fc.string() })
    .map(
      ({ name, data }) => `kind: Config\nmetadata: {name: ${name}}\nspec: {data: ${JSON.stringify(data)}}`,
    ),
);

describe("the disk parse cache and the new kinds", () => {
  it("gives back exactly what parsing any valid set of documents gave", () => {
    const key = randomBytes(32);
    let n = 0;
    fc.assert(
      fc.property(fc.array(documentText, { minLength: 1, maxLength: 5 }), (docs) => {
        const text = docs.map((doc) => `apiVersion: alacrity.dev/v1\n${doc}\n`).join("---\n");
        const parsed = parseManifest(text, "a.yaml");
        expect(parsed.errors).toEqual([]);
        const file = join(dir, `parse-${(n++).toString(16).padStart(16, "0")}.json`);
        const writer = new DiskParseCache({ file, fingerprint: "f", key });
        const entry = writer.keyOf("a.yaml", text);
        writer.set(entry, "a.yaml", parsed);
        writer.commit();
        expect(new DiskParseCache({ file, fingerprint: "f", key }).get(entry, "a.yaml")).toStrictEqual(
          parsed,
        );
      }),
      { numRuns: 40 },
    );
  });

  it("does not take a cached result without the new arrays", () => {
    expect(isParsedManifest({ apps: [], invalid: [], errors: [] })).toBe(false);
    expect(
      isParsedManifest({ apps: [], networks: [], secrets: [], configs: [], invalid: [], errors: [] }),
    ).toBe(true);
  });
});
