import { z } from "zod";
import { show } from "./format.js";
import { bad } from "./schemaMessages.js";

/*
 * The app fields that refer to other documents: `spec.networks`, `spec.endpointMode`,
 * `spec.secrets` and `spec.configs`. An entry may be written as a bare name; the parser fills
 * Docker's defaults in, so the AppSpec says exactly what a service mounts.
 */

/** A document name as an app refers to it (NAME_PATTERN; kept here to avoid a cycle with schema.ts). */
const REF_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** A DNS name: dot-separated labels of letters, digits and '-'. */
const DNS_NAME_PATTERN =
  /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
/** Highest file mode a mount may have. */
export const MAX_FILE_MODE = 0o777;

const refName = (kind: string) =>
  z
    .string({ error: bad("must be a string", `give the name of a kind: ${kind} document`) })
    .regex(REF_NAME_PATTERN, {
      error: bad(
        `must be the metadata.name of a kind: ${kind} document (1-63 characters of a-z, 0-9 and '-')`,
      ),
    });

/** A bare name stands for `{name: <it>}`: one shape to validate, errors still at the entry. */
const nameOnly = (value: unknown) => (typeof value === "string" ? { name: value } : value);

/** A sub-schema without its own `$schema` (the whole document's says which dialect it is). */
function withoutDialect(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

/**
 * An entry written as a name or as a map. The preprocessing that reads the name as a map has
 * no JSON Schema, so the entry says what it accepts itself.
 */
function nameOrMap<T extends z.ZodObject>(map: T, meta: { title: string; description: string }) {
  const name = { type: "string", pattern: REF_NAME_PATTERN.source };
  return z.preprocess(nameOnly, map).meta({
    ...meta,
    anyOf: [name, withoutDialect(z.toJSONSchema(map, { io: "input", unrepresentable: "any" }))],
  });
}

export const appNetworkSchema = nameOrMap(
  z.strictObject(
    {
      name: refName("Network").meta({ description: 'A kind: Network document\'s name, or "default".' }),
      aliases: z
        .array(
          z.string({ error: bad("must be a string") }).regex(DNS_NAME_PATTERN, {
            error: bad("an alias must be a DNS name (letters, digits, '-' and '.')", 'e.g. "db"'),
          }),
          { error: bad("must be a list of DNS names") },
        )
        .default([])
        .meta({ description: "Extra DNS names of the app on this network." }),
    },
    { error: bad("must be a network name or a map with name and aliases") },
  ),
  { title: "Network attachment", description: "A network name, or {name, aliases}." },
);

const ownerId = z
  .preprocess(
    (value) => (typeof value === "number" && Number.isInteger(value) ? String(value) : value),
    z.string({ error: bad("must be a numeric id", 'e.g. "0"') }).regex(/^[0-9]+$/, {
      error: bad("must be a numeric id", 'e.g. "0"'),
    }),
  )
  .default("0");

const fileRefSchema = (kind: "Secret" | "Config") =>
  nameOrMap(
    z.strictObject(
      {
        name: refName(kind).meta({ description: `A kind: ${kind} document's name.` }),
        target: z
          .string({ error: bad("must be a string", "give a path in the container") })
          .min(1, { error: bad("must not be empty", "give a path in the container or remove target") })
          .optional()
          .meta({
            description:
              kind === "Secret"
                ? "Path in the container (default /run/secrets/NAME; a relative path is under /run/secrets)."
                : "Path in the container (default /NAME).",
          }),
        uid: ownerId.meta({ description: 'Owner uid of the file (default "0").' }),
        gid: ownerId.meta({ description: 'Owner gid of the file (default "0").' }),
        mode: z
          .number({ error: bad("must be a file mode", "write it in octal, e.g. 0440") })
          .int({ error: bad("must be a whole number", "write it in octal, e.g. 0440") })
          .min(0, { error: bad("must be a file mode from 0 to 0777") })
          .max(MAX_FILE_MODE, {
            error: bad("must be a file mode from 0 to 0777", "write it in octal, e.g. 0440"),
          })
          .default(0o444)
          .meta({ description: "File mode (default 0444); YAML octal like 0440 or a decimal number." }),
      },
      { error: bad(`must be a ${kind.toLowerCase()} name or a map with name, target, uid, gid and mode`) },
    ),
    {
      title: `${kind} mount`,
      description: `A ${kind.toLowerCase()} name, or {name, target, uid, gid, mode}.`,
    },
  );

/** Where a secret or config is mounted when its entry gives no target (Docker's rules). */
export function targetOf(kind: "secrets" | "configs", name: string, target: string | undefined): string {
  if (kind === "configs") return target ?? `/${name}`;
  if (target === undefined) return `/run/secrets/${name}`;
  return target.startsWith("/") ? target : `/run/secrets/${target}`;
}

/** A list in which a name (and, for mounts, a target) is given once: errors at the second one. */
function uniqueEntries<T extends { name: string; target?: string | undefined }>(
  field: "networks" | "secrets" | "configs",
) {
  return (entries: T[], ctx: z.RefinementCtx) => {
    const names = new Map<string, number>();
    const targets = new Map<string, number>();
    entries.forEach((entry, i) => {
      const first = names.get(entry.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [i, "name"],
          input: entry.name,
          message: `${show(entry.name)} is already listed at spec.${field}[${first}]; list it once`,
        });
      } else names.set(entry.name, i);
      if (field === "networks") return;
      const target = targetOf(field, entry.name, entry.target);
      const other = targets.get(target);
      if (other !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [i, entry.target === undefined ? "name" : "target"],
          input: target,
          message: `target ${show(target)} is already used by spec.${field}[${other}]; give each a different target`,
        });
      } else targets.set(target, i);
    });
  };
}

/** The spec fields of an App that refer to Network, Secret and Config documents. */
export const appRefsShape = {
  networks: z
    .array(appNetworkSchema, { error: bad("must be a list of network names") })
    .superRefine(uniqueEntries("networks"))
    .optional()
    .meta({ description: "Networks the app joins (absent: the default network only)." }),
  endpointMode: z
    .enum(["vip", "dnsrr"], { error: bad('must be "vip" or "dnsrr"') })
    .optional()
    .meta({ description: "How the app's name resolves: vip (default, one virtual IP) or dnsrr (task IPs)." }),
  secrets: z
    .array(fileRefSchema("Secret"), { error: bad("must be a list of secret names") })
    .superRefine(uniqueEntries("secrets"))
    .optional()
    .meta({ description: "Secrets mounted as files." }),
  configs: z
    .array(fileRefSchema("Config"), { error: bad("must be a list of config names") })
    .superRefine(uniqueEntries("configs"))
    .optional()
    .meta({ description: "Configs mounted as files." }),
};

export const APP_NETWORK_KEYS = ["name", "aliases"];
export const FILE_REF_KEYS = ["name", "target", "uid", "gid", "mode"];
