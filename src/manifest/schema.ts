import { posix } from "node:path";
import { z } from "zod";
import { ANNOTATION_VALUES, KNOWN_ANNOTATIONS, RESERVED_LABEL_PREFIXES } from "./annotations.js";
import { show } from "./format.js";
import { APP_NETWORK_KEYS, appRefsShape, FILE_REF_KEYS } from "./appRefsSchema.js";
import { resourceAmountsSchema, resourcesSchema } from "./resourcesSchema.js";
import { durationSchema } from "./durationSchema.js";
import { HEALTHCHECK_KEYS, healthcheckSchema } from "./healthcheckSchema.js";
import { modeSchema, PLACEMENT_KEYS, placementSchema, PREFERENCE_KEYS } from "./placementSchema.js";
import {
  RESTART_POLICY_KEYS,
  restartPolicySchema,
  UPDATE_POLICY_KEYS,
  updatePolicySchema,
} from "./policySchema.js";
import { bad, envValueNotString, notANumber, scalarNotString } from "./schemaMessages.js";

/*
 * The shape of one App document. Checks that concern a single field live here (so they are also
 * in the JSON Schema where it can express them); checks across fields live in rules.ts.
 * Messages read "what is wrong (got X); how to fix" (schemaMessages.ts).
 */

export const NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Swarm's own rule for a service name (swarmkit's controlapi): a DNS label that may hold `_`. */
const SERVICE_NAME_PATTERN = /^(?=.{1,63}$)[a-zA-Z0-9](?:[-_]*[a-zA-Z0-9]+)*$/;
const VOLUME_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** Docker's own rule for a volume name (at least two characters), which an external volume has. */
const DOCKER_VOLUME_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
// Docker's reference grammar, simplified: [host[:port]/]path[:tag][@digest], lowercase path.
const IMAGE_PATTERN =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$/;

function absolutePath(what: string) {
  return z
    .string()
    .min(1, { error: bad(`${what} must not be empty`, 'give an absolute path like "/data"') })
    .superRefine((value, ctx) => {
      if (!value.startsWith("/")) {
        ctx.addIssue({
          code: "custom",
          input: value,
          message: `${what} must be an absolute path (got ${show(value)}); start it with "/"`,
        });
        return;
      }
      const normal = posix.normalize(value);
      const wanted = normal.length > 1 && normal.endsWith("/") ? normal.slice(0, -1) : normal;
      if (value !== wanted) {
        ctx.addIssue({
          code: "custom",
          input: value,
          message: `${what} must be a normalised path (got ${show(value)}); write ${show(wanted)}`,
        });
      }
    });
}

/** Env names as POSIX shells and Docker take them (a `-` or `.` would be unusable as `$NAME`). */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Label and annotation keys: anything but controls and line separators, which forge output. */
// eslint-disable-next-line no-control-regex -- the control characters are what is refused
const PRINTABLE_KEY_PATTERN = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;

/** A string map whose keys are checked too; key and value problems are all reported at once. */
function stringMap(kind: "label" | "annotation" | "env") {
  const key =
    kind === "env"
      ? z.string().regex(ENV_NAME_PATTERN, {
          error: (issue) =>
            `env name must be letters, digits and _ and not start with a digit (got ${show(issue.input)}); rename it`,
        })
      : z
          .string()
          .regex(PRINTABLE_KEY_PATTERN, {
            error: (issue) =>
              `${kind} key must not contain control characters or line breaks (got ${show(issue.input)}); remove them`,
            abort: true,
          })
          .superRefine((value, ctx) => {
            const problem = keyProblem(kind, value);
            if (problem) ctx.addIssue({ code: "custom", message: problem });
          });
  const map = z.record(key, z.string({ error: kind === "env" ? envValueNotString : scalarNotString }));
  return kind === "annotation" ? map.superRefine(checkAnnotationValues) : map;
}

function keyProblem(kind: "label" | "annotation", key: string): string | undefined {
  if (key === "") return `${kind} key must not be empty (got ""); give it a name`;
  if (kind === "annotation" && KNOWN_ANNOTATIONS.includes(key)) return undefined;
  const reserved = RESERVED_LABEL_PREFIXES.find((prefix) => key.startsWith(prefix));
  if (!reserved) return undefined;
  if (kind === "annotation" && reserved === "alacrity.") {
    return `unknown controller annotation (got ${show(key)}); known ones are ${KNOWN_ANNOTATIONS.map((a) => show(a)).join(", ")}`;
  }
  return `${kind} keys starting with "${reserved}" are reserved (got ${show(key)}); choose another prefix`;
}

/** The controller's annotations take "true" or "false": a "yes" must not read as "no". */
function checkAnnotationValues(annotations: Record<string, string>, ctx: z.RefinementCtx): void {
  for (const name of KNOWN_ANNOTATIONS) {
    if (!Object.hasOwn(annotations, name)) continue;
    const value = annotations[name];
    if (ANNOTATION_VALUES.includes(value ?? "")) continue;
    ctx.addIssue({
      code: "custom",
      path: [name],
      input: value,
      message: `must be ${ANNOTATION_VALUES.map((v) => show(v)).join(" or ")} (got ${show(value)})`,
    });
  }
}

const REPLICAS = "must be a whole number from 0 up";

const port = z
  .number({ error: notANumber("must be a port number from 1 to 65535") })
  .int({ error: bad("must be a whole number", "write a number from 1 to 65535") })
  .min(1, { error: bad("must be a port number from 1 to 65535") })
  .max(65535, { error: bad("must be a port number from 1 to 65535") });

export const metadataSchema = z
  .strictObject({
    name: z
      .string({ error: bad("must be a string") })
      .regex(NAME_PATTERN, {
        error: bad(
          "must be 1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit",
          'e.g. "blog-db"',
        ),
      })
      .meta({ title: "App name", description: "1-63 characters [a-z0-9-]; the Swarm service name." }),
    labels: stringMap("label")
      .default({})
      .meta({ description: "String map copied onto the service's labels." }),
    annotations: stringMap("annotation")
      .default({})
      .meta({
        description: `Per-app controller options: ${KNOWN_ANNOTATIONS.join(", ")} (value "true" or "false").`,
      }),
  })
  .meta({ title: "Metadata" });

export const portSchema = z
  .strictObject({
    target: port.meta({ description: "Container port." }),
    published: port.optional().meta({ description: "Port published on every Swarm node." }),
    protocol: z
      .enum(["tcp", "udp"], { error: bad('must be "tcp" or "udp"') })
      .default("tcp")
      .meta({ description: "tcp (default) or udp." }),
  })
  .meta({ title: "Port" });

export const volumeSchema = z
  .strictObject({
    name: z
      .string({ error: bad("must be a string") })
      .regex(VOLUME_NAME_PATTERN, {
        error: (issue) =>
          `a volume name must be letters, digits, '_', '.' and '-', starting with a letter or digit${
            typeof issue.input === "string" && issue.input.includes("..") ? ', without ".."' : ""
          } (got ${show(issue.input)})`,
        abort: true,
      })
      .refine((name) => !name.includes(".."), { error: bad('a volume name must not contain ".."') })
      .optional()
      .meta({
        description:
          'Label-based volume: becomes the Docker volume "alacran--NAME". Give name, hostPath or external.',
      }),
    hostPath: absolutePath("hostPath").optional().meta({
      description: "Absolute directory on the pinned node, bind-mounted. Give name, hostPath or external.",
    }),
    external: z
      .string({ error: bad("must be a string", 'give the Docker volume\'s full name, e.g. "shop_db-data"') })
      .regex(DOCKER_VOLUME_NAME_PATTERN, {
        error: bad(
          "not a Docker volume name: 2 or more letters, digits, '_', '.' and '-', starting with a letter or digit",
          "give the name `docker volume ls` shows on the pinned node",
        ),
      })
      .optional()
      .meta({
        description:
          'An existing Docker volume by its full name, no prefix added (e.g. a stack\'s "shop_db-data"). Give name, hostPath or external.',
      }),
    containerPath: absolutePath("containerPath")
      .refine((p) => p !== "/", {
        error: bad("containerPath cannot be the container's root", 'mount it at e.g. "/data"'),
      })
      .meta({ description: "Absolute path inside the container." }),
    readOnly: z
      .boolean({ error: bad("must be true or false") })
      .default(false)
      .meta({ description: "Mount read-only (default false)." }),
  })
  .meta({ title: "Volume", description: "Exactly one of name, hostPath and external, plus containerPath." });

export const specSchema = z
  .strictObject({
    image: z
      .string({ error: bad("must be a string", 'e.g. "postgres:16"') })
      .max(512, { error: bad("an image reference is at most 512 characters") })
      .regex(IMAGE_PATTERN, {
        error: bad(
          "not a valid image reference",
          'write [REGISTRY/]NAME[:TAG][@DIGEST] with a lowercase NAME, e.g. "postgres:16"',
        ),
      })
      .meta({ description: "Image reference, e.g. postgres:16." }),
    persistent: z
      .boolean({ error: bad("must be true or false") })
      .default(false)
      .meta({
        description: "Persistent apps run at most one replica, pinned to one node, and may declare volumes.",
      }),
    replicas: z
      .number({ error: notANumber(REPLICAS) })
      .int({ error: bad(REPLICAS) })
      .min(0, { error: bad(REPLICAS) })
      // Not `.default(1)`: a global app must not set it, so whether it was written must show.
      .optional()
      .meta({
        description: "Number of tasks (default 1); 0 or 1 for persistent apps; not with mode: global.",
        default: 1,
      }),
    node: z
      .string({ error: bad("must be a string", "give a node hostname or ID") })
      .min(1, { error: bad("must not be empty", "give a node hostname or ID, or remove spec.node") })
      .optional()
      .meta({ description: "Persistent apps only: hostname or node ID to pin the app to." }),
    serviceName: z
      .string({ error: bad("must be a string", 'e.g. "shop_db"') })
      .regex(SERVICE_NAME_PATTERN, {
        error: bad(
          "must be 1-63 characters of letters, digits, '-' and '_', starting and ending with a letter or digit",
          'give the name `docker service ls` shows, e.g. "shop_db"',
        ),
      })
      .optional()
      .meta({
        description:
          "The Swarm service name, when it is not metadata.name: a service taken over from a stack (`<stack>_<service>`).",
      }),
    command: z
      .array(z.string({ error: scalarNotString }), {
        error: bad("must be a list of strings", 'write it as a list, e.g. ["sh", "-c", "..."]'),
      })
      .optional()
      .meta({ description: "Replaces the image's entrypoint." }),
    args: z
      .array(z.string({ error: scalarNotString }), {
        error: bad("must be a list of strings", 'write it as a list, e.g. ["--verbose"]'),
      })
      .optional()
      .meta({ description: "Arguments passed to the entrypoint." }),
    env: stringMap("env").default({}).meta({ description: "Environment variables (string values)." }),
    ports: z
      .array(portSchema, { error: bad("must be a list of ports") })
      .default([])
      .meta({ description: "Ports to publish." }),
    volumes: z
      .array(volumeSchema, { error: bad("must be a list of volumes") })
      .default([])
      .meta({ description: "Persistent apps only: volumes to mount." }),
    resources: resourcesSchema.optional(),
    ...appRefsShape,
    healthcheck: healthcheckSchema.optional(),
    update: updatePolicySchema("update")
      .optional()
      .meta({ description: "How Swarm rolls out a new spec (docker service create --update-*)." }),
    rollback: updatePolicySchema("rollback")
      .optional()
      .meta({ description: "How Swarm rolls a failed update back (docker service create --rollback-*)." }),
    restart: restartPolicySchema
      .optional()
      .meta({ description: "When Swarm restarts a task that exited (docker service create --restart-*)." }),
    stopGracePeriod: durationSchema(
      "Time between SIGTERM and SIGKILL when a task stops (default 60s for a persistent app, Swarm's 10s otherwise).",
    ).optional(),
    mode: modeSchema.optional(),
    placement: placementSchema.optional(),
  })
  .meta({ title: "Spec" });

export const appManifestSchema = z
  .strictObject({
    apiVersion: z.literal("alacrity.dev/v1", { error: bad('must be "alacrity.dev/v1"') }),
    kind: z.literal("App", {
      error: bad('must be "App", "Network", "Secret" or "Config"', "AlaCrity knows these four kinds"),
    }),
    metadata: metadataSchema,
    spec: specSchema,
  })
  .meta({
    title: "AlaCrity App",
    description: "One app managed by AlaCrity on Docker Swarm (see CONTRACT.md section 1).",
  });

export type AppManifest = z.output<typeof appManifestSchema>;

/** The keys each kind of object accepts, for "did you mean" hints on unknown fields. */
export const KNOWN_KEYS = {
  root: Object.keys(appManifestSchema.shape),
  metadata: Object.keys(metadataSchema.shape),
  spec: Object.keys(specSchema.shape),
  port: Object.keys(portSchema.shape),
  volume: Object.keys(volumeSchema.shape),
  resources: Object.keys(resourcesSchema.shape),
  resourceAmounts: Object.keys(resourceAmountsSchema("limits").shape),
  appNetwork: APP_NETWORK_KEYS,
  fileRef: FILE_REF_KEYS,
  healthcheck: HEALTHCHECK_KEYS,
  updatePolicy: UPDATE_POLICY_KEYS,
  restartPolicy: RESTART_POLICY_KEYS,
  placement: PLACEMENT_KEYS,
  preference: PREFERENCE_KEYS,
};
