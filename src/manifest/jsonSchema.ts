import { z } from "zod";
import { configManifestSchema, secretManifestSchema } from "./contentSchema.js";
import { networkManifestSchema } from "./networkSchema.js";
import { appManifestSchema } from "./schema.js";

/** Every kind of document a manifest file may hold; App first (the schema of most documents). */
const manifestDocumentSchema = z
  .discriminatedUnion("kind", [
    appManifestSchema,
    networkManifestSchema,
    secretManifestSchema,
    configManifestSchema,
  ])
  .meta({ title: "AlaCrity manifest document", description: "An App, Network, Secret or Config document." });

/**
 * The JSON Schema of a manifest document, derived from the zod schemas (never written by hand).
 * "input" mode: fields with defaults are optional, as a user writes them.
 */
export function manifestJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(manifestDocumentSchema, { io: "input", unrepresentable: "any" });
}

export function manifestJsonSchemaText(): string {
  return `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`;
}
