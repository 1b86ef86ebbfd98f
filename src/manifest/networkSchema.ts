import { z } from "zod";
import { API_VERSION, documentMetadata } from "./documentMetadata.js";
import { bad } from "./schemaMessages.js";

/** Docker's rule for a network name. */
const SWARM_NETWORK_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

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
    external: z
      .union(
        [
          z.boolean(),
          z.string().regex(SWARM_NETWORK_NAME_PATTERN, {
            error: bad(
              "not a Swarm network name: letters, digits, '_', '.' and '-', starting with a letter or digit",
              "give the name `docker network ls` shows, or true for the network named metadata.name",
            ),
          }),
        ],
        {
          error: bad(
            "must be true, false or the name of an existing Swarm network",
            'e.g. external: true, or external: "shop_default"',
          ),
        },
      )
      .default(false)
      .meta({
        description:
          'An existing Swarm network, used as it is and never created or removed: true for the network named metadata.name, or its name (e.g. a stack\'s "shop_default"). Default false.',
      }),
  })
  .superRefine((spec, ctx) => {
    if (spec.external === false) return;
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
