import { describe, expect, it } from "vitest";
import { withRemovedLinks } from "../../../src/gitsource/checkoutLinks.js";
import { desiredOf } from "../reconcile/builders.js";

const empty = () => desiredOf([]);

describe("withRemovedLinks", () => {
  it("fails the links that may have held manifests, not a README link or a dot name", () => {
    const desired = withRemovedLinks(empty(), "/w/checkouts/abc/apps", [
      "leak.yaml",
      "team/db.yml",
      "rootfs",
      "README.md",
      "docs/guide.txt",
      ".hidden/x.yaml",
    ]);
    expect([...desired.failedFiles].sort()).toEqual(["leak.yaml", "rootfs", "team/db.yml"]);
    expect(desired.errors.map((e) => e.file)).toEqual([
      "/w/checkouts/abc/apps/leak.yaml",
      "/w/checkouts/abc/apps/rootfs",
      "/w/checkouts/abc/apps/team/db.yml",
    ]);
    expect(desired.errors[0]?.message).toMatch(/outside the Git repository, or to nothing/);
  });

  it("leaves the load as it is when no removed link may have held manifests", () => {
    const before = empty();
    expect(withRemovedLinks(before, "/w/apps", ["README.md"])).toBe(before);
  });
});
