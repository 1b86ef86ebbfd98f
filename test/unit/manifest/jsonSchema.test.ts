import { readFileSync } from "node:fs";
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { KNOWN_ANNOTATIONS } from "../../../src/manifest/annotations.js";
import { manifestJsonSchema, manifestJsonSchemaText } from "../../../src/manifest/jsonSchema.js";
import { parseManifest } from "../../../src/manifest/parseManifest.js";
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

describe("JSON Schema: the fields of issue 17", () => {
  // ajv 6 speaks draft-07; the keywords the schema uses mean the same there as in 2020-12.
  const { $schema: _dialect, ...schema } = manifestJsonSchema();
  const validate = new Ajv({ allErrors: true }).compile(schema);

  const full = {
    apiVersion: "alacrity.dev/v1",
    kind: "App",
    metadata: { name: "web" },
    spec: {
      image: "busybox:1",
      healthcheck: {
        test: ["CMD", "wget", "-q", "-O-", "http://localhost/"],
        interval: "1m30s",
        timeout: "500ms",
        retries: 3,
        startPeriod: "10s",
      },
      update: {
        parallelism: 0,
        delay: "10s",
        failureAction: "rollback",
        monitor: "1m",
        maxFailureRatio: 0.2,
        order: "start-first",
      },
      rollback: {
        parallelism: 1,
        delay: "0",
        failureAction: "pause",
        monitor: "5s",
        maxFailureRatio: 0,
        order: "stop-first",
      },
      restart: { condition: "on-failure", delay: "5s", maxAttempts: 3, window: "2m" },
      stopGracePeriod: "30s",
      mode: "replicated",
      placement: {
        constraints: ["node.role==worker", "node.labels.zone!=eu"],
        preferences: [{ spread: "node.labels.zone" }],
        maxReplicasPerNode: 2,
      },
    },
  };
  const withSpec = (over: Record<string, unknown>) => ({ ...full, spec: { ...full.spec, ...over } });

  it("accepts an app that sets every new field, as the parser does", () => {
    expect(validate(full), JSON.stringify(validate.errors)).toBe(true);
    expect(parseManifest(stringify(full), "a.yaml").errors).toEqual([]);
    for (const other of [
      { healthcheck: "none" },
      { healthcheck: { test: "pg_isready" } },
      { mode: "global" },
    ]) {
      expect(validate(withSpec(other)), JSON.stringify(other)).toBe(true);
    }
  });

  it.each<[string, Record<string, unknown>]>([
    ["healthcheck: a word other than none", { healthcheck: "off" }],
    ["healthcheck without test", { healthcheck: { interval: "5s" } }],
    ["healthcheck.test a number", { healthcheck: { test: 5 } }],
    ["healthcheck.interval without unit", { healthcheck: { test: "x", interval: "30" } }],
    ["healthcheck.retries 0", { healthcheck: { test: "x", retries: 0 } }],
    ["healthcheck unknown field", { healthcheck: { test: "x", disable: true } }],
    ["update.parallelism negative", { update: { parallelism: -1 } }],
    ["update.delay a number", { update: { delay: 5 } }],
    ["update.failureAction unknown", { update: { failureAction: "undo" } }],
    ["update.maxFailureRatio above 1", { update: { maxFailureRatio: 1.5 } }],
    ["update.order unknown", { update: { order: "first" } }],
    ["rollback.failureAction rollback", { rollback: { failureAction: "rollback" } }],
    ["restart.condition unknown", { restart: { condition: "always" } }],
    ["restart.maxAttempts negative", { restart: { maxAttempts: -1 } }],
    ["stopGracePeriod in days", { stopGracePeriod: "1d" }],
    ["mode unknown", { mode: "everywhere" }],
    ["placement.constraints a string", { placement: { constraints: "node.role==worker" } }],
    ["placement.preferences a string", { placement: { preferences: ["node.labels.zone"] } }],
    ["placement.maxReplicasPerNode 0", { placement: { maxReplicasPerNode: 0 } }],
    ["placement unknown field", { placement: { spread: "node.labels.zone" } }],
  ])("rejects %s, as the parser does", (_, over) => {
    expect(validate(withSpec(over))).toBe(false);
    expect(parseManifest(stringify(withSpec(over)), "a.yaml").errors).not.toEqual([]);
  });
});

describe("JSON Schema: external volumes and networks (issue 18)", () => {
  const { $schema: _dialect, ...schema } = manifestJsonSchema();
  const validate = new Ajv({ allErrors: true }).compile(schema);
  const db = (volume: Record<string, unknown>) => ({
    apiVersion: "alacrity.dev/v1",
    kind: "App",
    metadata: { name: "db" },
    spec: { image: "postgres:16", persistent: true, volumes: [{ containerPath: "/data", ...volume }] },
  });
  const network = (external: unknown) => ({
    apiVersion: "alacrity.dev/v1",
    kind: "Network",
    metadata: { name: "shop" },
    spec: { external },
  });

  it.each<[string, unknown]>([
    ["an external volume of a stack", db({ external: "shop_db-data" })],
    ["an external volume named like a label-based one", db({ external: "alacran--x" })],
    ["an external network named by metadata.name", network(true)],
    ["an external network named by its Swarm name", network("shop_default")],
  ])("accepts %s, as the parser does", (_, document) => {
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
    expect(parseManifest(stringify(document), "a.yaml").errors).toEqual([]);
  });

  it.each<[string, unknown]>([
    ["an external volume with a slash", db({ external: "shop/data" })],
    ["an external volume of one character", db({ external: "x" })],
    ["an external volume starting with '-'", db({ external: "-data" })],
    ["an external volume that is a number", db({ external: 5 })],
    ["an external network with a slash", network("shop/default")],
    ["an external network that is a number", network(3)],
  ])("rejects %s, as the parser does", (_, document) => {
    expect(validate(document)).toBe(false);
    expect(parseManifest(stringify(document), "a.yaml").errors).not.toEqual([]);
  });
});
