import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseManifest } from "../../../src/manifest/parseManifest.js";

const fixtures = new URL("../../fixtures/", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, fixtures), "utf8");
const yamlFiles = (dir: URL) =>
  readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();

interface Expected {
  line: number;
  col: number;
  path: string;
  message: string;
}
const expectations = JSON.parse(read("invalid/expectations.json")) as Record<string, Expected[]>;

describe("valid fixtures", () => {
  it.each(yamlFiles(new URL("valid/", fixtures)))("%s has no errors", (name) => {
    const result = parseManifest(read(`valid/${name}`), name);
    expect(result.errors).toEqual([]);
    expect(result.apps.length).toBeGreaterThan(0);
  });
});

describe("invalid fixtures", () => {
  it("every invalid fixture has expectations and vice versa", () => {
    expect(Object.keys(expectations).sort()).toEqual(yamlFiles(new URL("invalid/", fixtures)));
  });

  it.each(Object.entries(expectations))("%s fails at the expected positions", (name, expected) => {
    const result = parseManifest(read(`invalid/${name}`), name);
    expect(result.apps).toEqual([]);
    expect(result.errors).toHaveLength(expected.length);
    result.errors.forEach((error, i) => {
      const want = expected[i]!;
      expect({ file: error.file, line: error.line, col: error.col, path: error.path }).toEqual({
        file: name,
        line: want.line,
        col: want.col,
        path: want.path,
      });
      expect(error.message).toContain(want.message);
    });
  });
});

describe("examples", () => {
  const examples = new URL("../../../examples/apps/", import.meta.url);
  it.each(yamlFiles(examples))("examples/apps/%s is valid and points editors at the schema", (name) => {
    const text = readFileSync(new URL(name, examples), "utf8");
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=../../schema/app.schema.json");
    const result = parseManifest(text, name);
    expect(result.errors).toEqual([]);
    expect(
      result.apps.length + result.networks.length + result.secrets.length + result.configs.length,
    ).toBeGreaterThan(0);
  });

  it("covers a named volume, a host path and a replicated stateless app", () => {
    const apps = yamlFiles(examples).flatMap(
      (name) => parseManifest(readFileSync(new URL(name, examples), "utf8"), name).apps,
    );
    expect(apps.some((a) => a.persistent && a.volumes.some((v) => v.kind === "named"))).toBe(true);
    expect(
      apps.some((a) =>
        a.volumes.some((v) => v.kind === "host" && v.hostPath === "/srv/alacrity-examples/uploads"),
      ),
    ).toBe(true);
    expect(apps.some((a) => !a.persistent && a.replicas === 3 && a.ports[0]?.published === 18080)).toBe(true);
  });

  it("is a two-tier stack: the web app and its database share a password secret and reach each other by name", () => {
    const parsed = yamlFiles(examples).map((name) =>
      parseManifest(readFileSync(new URL(name, examples), "utf8"), name),
    );
    const apps = parsed.flatMap((p) => p.apps);
    const secrets = parsed.flatMap((p) => p.secrets).map((s) => s.name);
    const web = apps.find((a) => a.name === "web");
    const db = apps.find((a) => a.name === "blog-db");
    expect(secrets).toContain("db-password");
    expect(web?.secrets?.map((s) => s.name)).toContain("db-password");
    expect(db?.persistent && db.secrets?.map((s) => s.name)).toContain("db-password");
  });
});
