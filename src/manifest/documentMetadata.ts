import { z } from "zod";
import { bad } from "./schemaMessages.js";
import { metadataSchema, NAME_PATTERN } from "./schema.js";

/*
 * What Network, Secret and Config documents share with App documents: the apiVersion and a
 * metadata of name and labels (no annotations: they are per-app controller options).
 */

export const API_VERSION = z.literal("alacrity.dev/v1", { error: bad('must be "alacrity.dev/v1"') });

/**
 * Swarm limits secret and config names to 64 characters and ours are
 * `alacran--<name>--<12 hex>` (23 more), so their documents' names have at most 41.
 */
export const MAX_CONTENT_NAME_LENGTH = 41;

export function documentMetadata(kind: "Network" | "Secret" | "Config") {
  let name = z.string({ error: bad("must be a string") }).regex(NAME_PATTERN, {
    error: bad("must be 1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit"),
  });
  if (kind === "Network") {
    name = name.refine((value) => value !== "default", {
      error: bad('"default" is AlaCrity\'s own network (alacran--default)', "choose another name"),
    });
  } else {
    name = name.max(MAX_CONTENT_NAME_LENGTH, {
      error: bad(
        `must be at most ${MAX_CONTENT_NAME_LENGTH} characters: Swarm names have at most 64 and AlaCrity's are alacran--NAME--<12 hex>`,
        "shorten it",
      ),
    });
  }
  return z
    .strictObject({
      name: name.meta({ title: `${kind} name` }),
      labels: metadataSchema.shape.labels,
    })
    .meta({ title: `${kind} metadata` });
}
