import { z } from "zod";
import { API_VERSION, documentMetadata } from "./documentMetadata.js";
import { bad } from "./schemaMessages.js";

/*
 * The shape of a `kind: Network` document. An external network exists already and is only
 * attached to, so the options that shape a network we create make no sense with it.
 */

const flag = (description: string) =>
  z
    .boolean({ error: bad("must be true or false") })
    .default(false)
    .meta({ description });

export const networkSpecSchema = z
  .strictObject({
    internal: flag("No access to the outside (default false)."),
    attachable: flag("Standalone containers may attach too (default false)."),
    encrypted: flag("Encrypt overlay traffic between nodes (default false)."),
    external: flag("An existing Swarm network of this name, used as it is (default false)."),
  })
  .superRefine((spec, ctx) => {
    if (!spec.external) return;
    for (const key of ["internal", "attachable", "encrypted"] as const) {
      if (!spec[key]) continue;
      ctx.addIssue({
        code: "custom",
        path: [key],
        input: spec[key],
        message: `an external network is used as it is (got ${key}: true); remove ${key} or external`,
      });
    }
  })
  .meta({ title: "Network spec" });

export const networkManifestSchema = z
  .strictObject({
    apiVersion: API_VERSION,
    kind: z.literal("Network"),
    metadata: documentMetadata("Network"),
    spec: networkSpecSchema.default({
      internal: false,
      attachable: false,
      encrypted: false,
      external: false,
    }),
  })
  .meta({ title: "AlaCrity Network", description: "An overlay network apps may join." });

export type NetworkManifest = z.output<typeof networkManifestSchema>;
