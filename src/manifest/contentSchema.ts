import { posix } from "node:path";
import { z } from "zod";
import { API_VERSION, documentMetadata } from "./documentMetadata.js";
import { show } from "./format.js";
import { ENV_NAME_PATTERN } from "./schema.js";
import { bad } from "./schemaMessages.js";

/*
 * The shape of `kind: Secret` and `kind: Config` documents: a name and exactly one source of
 * content. Inline `data` is for configs only: a secret written in a manifest would be in Git.
 */

const relativeFile = z
  .string({ error: bad("must be a string", 'give a path relative to this manifest, e.g. "db-password.txt"') })
  .min(1, { error: bad("must not be empty", "give a path relative to this manifest") })
  .superRefine((value, ctx) => {
    if (value.startsWith("/")) {
      ctx.addIssue({
        code: "custom",
        input: value,
        message: `must be relative to this manifest's directory (got ${show(value)}); the file must lie in the apps directory`,
      });
      return;
    }
    const normal = posix.normalize(value);
    if (normal === "." || normal.endsWith("/")) {
      ctx.addIssue({ code: "custom", input: value, message: `must name a file (got ${show(value)})` });
    }
  });

function contentSpec(kind: "Secret" | "Config") {
  const sources = kind === "Config" ? ["file", "env", "external", "data"] : ["file", "env", "external"];
  return z
    .strictObject({
      file: relativeFile
        .optional()
        .meta({ description: "A file relative to this manifest, in the apps directory." }),
      env: z
        .string({ error: bad("must be a string") })
        .regex(ENV_NAME_PATTERN, {
          error: bad(
            "must be an environment variable name (letters, digits and _, not starting with a digit)",
          ),
        })
        .optional()
        .meta({ description: "The controller's environment variable holding the content." }),
      external: z
        .string({ error: bad("must be a string") })
        .min(1, {
          error: bad("must not be empty", `give the name of an existing Swarm ${kind.toLowerCase()}`),
        })
        .optional()
        .meta({ description: `An existing Swarm ${kind.toLowerCase()}, used as it is.` }),
      ...(kind === "Config"
        ? {
            data: z
              .string({ error: bad("must be a string", "quote it or use a block scalar (|)") })
              .optional()
              .meta({ description: "The content, written here." }),
          }
        : {}),
    })
    .superRefine((spec, ctx) => {
      const given = sources.filter((key) => (spec as Record<string, unknown>)[key] !== undefined);
      if (given.length === 1) return;
      const allowed = sources.join(", ");
      ctx.addIssue({
        code: "custom",
        input: spec,
        message:
          given.length === 0
            ? `a ${kind} needs exactly one source (got none); give one of ${allowed}`
            : `a ${kind} takes exactly one source (got ${given.join(" and ")}); keep one of ${allowed}`,
      });
    })
    .meta({ title: `${kind} spec`, description: `Exactly one of ${sources.join(", ")}.` });
}

export const secretSpecSchema = contentSpec("Secret");
export const configSpecSchema = contentSpec("Config");

export const secretManifestSchema = z
  .strictObject({
    apiVersion: API_VERSION,
    kind: z.literal("Secret"),
    metadata: documentMetadata("Secret"),
    spec: secretSpecSchema,
  })
  .meta({ title: "AlaCrity Secret", description: "A Swarm secret apps may mount." });

export const configManifestSchema = z
  .strictObject({
    apiVersion: API_VERSION,
    kind: z.literal("Config"),
    metadata: documentMetadata("Config"),
    spec: configSpecSchema,
  })
  .meta({ title: "AlaCrity Config", description: "A Swarm config apps may mount." });

export type SecretManifest = z.output<typeof secretManifestSchema>;
export type ConfigManifest = z.output<typeof configManifestSchema>;
export const SECRET_SPEC_KEYS = ["file", "env", "external"];
export const CONFIG_SPEC_KEYS = ["file", "env", "external", "data"];
