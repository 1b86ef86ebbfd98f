import { z } from "zod";
import { show } from "./format.js";
import { MEMORY_FORMAT, MIN_CPUS, memoryBytes } from "./resources.js";
import { bad, notANumber } from "./schemaMessages.js";

/** `spec.resources`: the amounts docker service create takes, in the units users write. */
export const resourceAmountsSchema = (what: "limits" | "reservations") =>
  z
    .strictObject({
      cpus: z
        .number({ error: notANumber("must be a number of CPUs, e.g. 0.5") })
        .min(MIN_CPUS, { error: bad(`must be at least ${MIN_CPUS} CPUs`) })
        .max(1024, { error: bad("must be at most 1024 CPUs") })
        .optional()
        .meta({
          description:
            what === "limits"
              ? "The most CPU time the app may use, in CPUs (0.5 = half a core)."
              : "CPUs Swarm keeps free for the app on the node it places it on.",
        }),
      memory: z
        .union([z.string(), z.number()], { error: bad(`must be ${MEMORY_FORMAT}`) })
        .superRefine((value, ctx) => {
          if (memoryBytes(value) === undefined) {
            ctx.addIssue({
              code: "custom",
              input: value,
              message: `must be ${MEMORY_FORMAT} (got ${show(value)})`,
            });
          }
        })
        .optional()
        .meta({
          description:
            what === "limits"
              ? 'The most memory the app may use (e.g. "512M"); above it the kernel stops the container.'
              : 'Memory Swarm keeps free for the app on the node it places it on (e.g. "256M").',
        }),
    })
    .meta({ title: what === "limits" ? "Limits" : "Reservations" });

export const resourcesSchema = z
  .strictObject({
    limits: resourceAmountsSchema("limits").optional(),
    reservations: resourceAmountsSchema("reservations").optional(),
  })
  .meta({
    title: "Resources",
    description: "CPU and memory limits and reservations, as docker service create sets them.",
  });
