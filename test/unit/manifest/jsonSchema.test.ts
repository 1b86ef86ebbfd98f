import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { KNOWN_ANNOTATIONS } from "../../../src/manifest/annotations.js";
import { manifestJsonSchema, manifestJsonSchemaText } from "../../../src/manifest/jsonSchema.js";
import { ANNOTATION } from "../../../src/reconcile/types.js";

describe("JSON Schema", () => {
  it("the committed schema/app.schema.json is what `alacrity schema` prints (regenerate: npx tsx scripts/write-schema.ts)", () => {
    const committed = readFileSync(new URL("../../../schema/app.schema.json", import.meta.url), "utf8");
    expect(committed).toBe(manifestJsonSchemaText());
  });

  it("covers the four kinds of document", () => {
    const { oneOf } = manifestJsonSchema() as { oneOf: { properties: { kind: { const: string } } }[] };
    expect(oneOf.map((s) => s.properties.kind.const)).toEqual(["App", "Network", "Secret", "Config"]);
    const [, network, secret, config] = oneOf as unknown as {
      properties: { spec: { properties: Record<string, unknown>; additionalProperties: boolean } };
    }[];
    expect(Object.keys(network!.properties.spec.properties)).toEqual([
      "internal",
      "attachable",
      "encrypted",
      "external",
    ]);
    expect(Object.keys(secret!.properties.spec.properties)).toEqual(["file", "env", "external"]);
    expect(Object.keys(config!.properties.spec.properties)).toEqual(["file", "env", "external", "data"]);
    expect(config!.properties.spec.additionalProperties).toBe(false);
  });

  it("describes an app's networks, secrets and configs as a name or a map", () => {
    const app = (
      manifestJsonSchema() as {
        oneOf: { properties: { spec: { properties: Record<string, { items?: { anyOf?: unknown[] } }> } } }[];
      }
    ).oneOf[0]!.properties.spec.properties;
    for (const field of ["networks", "secrets", "configs"]) {
      expect(app[field]?.items?.anyOf).toEqual([
        expect.objectContaining({ type: "string" }),
        expect.objectContaining({ type: "object", additionalProperties: false }),
      ]);
    }
  });

  it("is strict and lets defaulted fields be left out", () => {
    const schema = (manifestJsonSchema() as { oneOf: unknown[] }).oneOf[0] as {
      additionalProperties: boolean;
      required: string[];
      properties: {
        spec: { required: string[]; additionalProperties: boolean; properties: Record<string, unknown> };
      };
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required.sort()).toEqual(["apiVersion", "kind", "metadata", "spec"]);
    expect(schema.properties.spec.required).toEqual(["image"]);
    expect(schema.properties.spec.additionalProperties).toBe(false);
    expect(schema.properties.spec.properties["replicas"]).toMatchObject({
      type: "integer",
      minimum: 0,
      default: 1,
    });
  });
});

describe("annotations", () => {
  it("the manifest layer knows exactly the controller's annotations", () => {
    expect([...KNOWN_ANNOTATIONS].sort()).toEqual(Object.values(ANNOTATION).sort());
  });
});
