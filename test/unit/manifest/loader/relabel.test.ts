import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { relabel } from "../../../../src/manifest/loader/relabel.js";
import { parseManifest } from "../../../../src/manifest/parseManifest.js";

const fixtures = new URL("../../../fixtures/", import.meta.url);
const corpus = ["valid", "invalid"].flatMap((dir) =>
  readdirSync(new URL(`${dir}/`, fixtures))
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => `${dir}/${name}`),
);

describe("relabel", () => {
  it.each(corpus)("gives %s the result a parse under the other name gives", (fixture) => {
    const text = readFileSync(new URL(fixture, fixtures), "utf8");
    const from = `/checkouts/aaaa/apps/${fixture}`;
    const to = `/checkouts/bbbb/apps/renamed.yaml`;
    const original = parseManifest(text, from);
    // The control: the name is in the result, so a result kept as it is would be wrong.
    expect(JSON.stringify(original)).toContain(from);
    expect(parseManifest(text, to)).not.toStrictEqual(original);
    expect(relabel(original, from, to)).toStrictEqual(parseManifest(text, to));
    // The result it was made from is left as it was (it may be another load's).
    expect(original).toStrictEqual(parseManifest(text, from));
  });

  it("keeps an error that two lists share as one object", () => {
    const parsed = parseManifest("apiVersion: alacrity.dev/v1\nkind: App\nmetadata: {name: x}\n", "a.yaml");
    expect(parsed.invalid[0]?.errors[0]).toBe(parsed.errors[0]);
    const moved = relabel(parsed, "a.yaml", "b.yaml");
    expect(moved.errors[0]?.file).toBe("b.yaml");
    expect(moved.invalid[0]?.errors[0]).toBe(moved.errors[0]);
  });
});
