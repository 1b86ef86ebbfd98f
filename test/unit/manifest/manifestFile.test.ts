import { describe, expect, it } from "vitest";
import { isManifestFile } from "../../../src/manifest/manifestFile.js";

describe("isManifestFile", () => {
  it("takes names ending .yaml or .yml, in lower case only", () => {
    expect(["a.yaml", "team/db.yml", "/srv/apps/x.y.yaml"].map(isManifestFile)).toEqual([true, true, true]);
    expect(["a.YAML", "a.Yml", "a.yaml.bak", "a.json", "yaml", "a.yaml~"].map(isManifestFile)).toEqual(
      Array(6).fill(false),
    );
  });
});
