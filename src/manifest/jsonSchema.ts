import { z } from "zod";
import { appManifestSchema } from "./schema.js";

/**
 * The JSON Schema of an App document, derived from the zod schema (never written by hand).
 * "input" mode: fields with defaults are optional, as a user writes them.
 */
export function manifestJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(appManifestSchema, { io: "input", unrepresentable: "any" });
}

export function manifestJsonSchemaText(): string {
  return `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`;
}
