import type { Stats } from "node:fs";
import { describe, expect, it } from "vitest";
import { emptyParse } from "../../../../src/manifest/emptyParse.js";
import { ParseCache, statKey } from "../../../../src/manifest/loader/parseCache.js";
import type { ParsedManifest } from "../../../../src/manifest/parseManifest.js";

const stat = (mtimeMs: number, size = 100) =>
  ({ dev: 1, ino: 42, size, mtimeMs, ctimeMs: mtimeMs }) as unknown as Stats;
const parsed: ParsedManifest = emptyParse();

describe("ParseCache", () => {
  it("reuses a parse made well after the file's last write, while the stat is the same", () => {
    const cache = new ParseCache();
    const s = stat(1_000);
    cache.set("a.yaml", statKey("a.yaml", s), s, parsed, 10_000);
    cache.commit();
    expect(cache.get("a.yaml", statKey("a.yaml", s))).toBe(parsed);
    expect(cache.get("a.yaml", statKey("a.yaml", stat(1_000, 101)))).toBeUndefined();
    expect(cache.get("a.yaml", statKey("a.yaml", stat(1_001)))).toBeUndefined();
  });

  it("never reuses a parse made right after a write: a same-size rewrite can keep every stamp", () => {
    const cache = new ParseCache();
    const s = stat(1_000);
    cache.set("a.yaml", statKey("a.yaml", s), s, parsed, 1_005);
    cache.commit();
    expect(cache.get("a.yaml", statKey("a.yaml", s))).toBeUndefined();
  });

  it("forgets the files a load did not see", () => {
    const cache = new ParseCache();
    const s = stat(1_000);
    cache.set("a.yaml", statKey("a.yaml", s), s, parsed, 10_000);
    cache.commit();
    cache.commit();
    expect(cache.get("a.yaml", statKey("a.yaml", s))).toBeUndefined();
  });
});
