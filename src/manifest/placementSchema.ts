import { z } from "zod";
import { show } from "./format.js";
import { bad, notANumber, scalarNotString } from "./schemaMessages.js";

/*
 * `spec.mode` and `spec.placement`. Constraints are checked as Swarm parses them (swarmkit's
 * manager/constraint): a key, `==` or `!=`, a value. Swarm takes an unknown key and then never
 * schedules the task, so an unknown key is refused here, where the user can still see why.
 */

const CONSTRAINT_KEY = /^[a-z_][a-z0-9\-_.]+$/i;
const CONSTRAINT_VALUE = /^[a-z0-9:\-_\s.*()?+[\]\\^$|/]+$/i;
const LABEL_PREFIXES = ["node.labels.", "engine.labels."];
const FIXED_KEYS = [
  "node.id",
  "node.hostname",
  "node.ip",
  "node.role",
  "node.platform.os",
  "node.platform.arch",
];
const KNOWN_KEYS_TEXT = `${FIXED_KEYS.join(", ")}, node.labels.<label>, engine.labels.<label>`;

const isLabelKey = (key: string) =>
  LABEL_PREFIXES.some((prefix) => key.toLowerCase().startsWith(prefix) && key.length > prefix.length);

/** Why a constraint is not one Swarm can match, or undefined when it is fine. */
export function constraintProblem(text: string): string | undefined {
  const op = ["==", "!="].find((o) => text.includes(o));
  if (op === undefined) {
    const fix = text.includes("=") ? `; write ${show(text.replace(/=+/, "=="))}` : "";
    return `a constraint is "key==value" or "key!=value" (got ${show(text)})${fix}`;
  }
  const at = text.indexOf(op);
  const key = text.slice(0, at).trim();
  const value = text.slice(at + op.length).trim();
  if (!CONSTRAINT_KEY.test(key) || !(FIXED_KEYS.includes(key.toLowerCase()) || isLabelKey(key))) {
    return `unknown constraint key ${show(key)} (got ${show(text)}); Swarm matches ${KNOWN_KEYS_TEXT}`;
  }
  if (!CONSTRAINT_VALUE.test(value)) {
    return `the constraint's value ${show(value)} is empty or has characters Swarm refuses (got ${show(text)}); use letters, digits and -_.:/`;
  }
  if (key.toLowerCase() === "node.role" && !["manager", "worker"].includes(value.toLowerCase())) {
    return `node.role is "manager" or "worker" (got ${show(value)})`;
  }
  return undefined;
}

const constraintSchema = z.string({ error: scalarNotString }).superRefine((text, ctx) => {
  const problem = constraintProblem(text);
  if (problem) ctx.addIssue({ code: "custom", input: text, message: problem });
});

const spreadSchema = z
  .string({ error: bad("must be a string", 'e.g. "node.labels.zone"') })
  .refine((descriptor) => isLabelKey(descriptor) && CONSTRAINT_KEY.test(descriptor), {
    error: bad("Swarm spreads over node.labels.<label> or engine.labels.<label>", 'e.g. "node.labels.zone"'),
  });

export const preferenceSchema = z
  .strictObject(
    { spread: spreadSchema.meta({ description: "The label whose values tasks are spread over evenly." }) },
    { error: bad("must be a map {spread: <label>}", 'e.g. {spread: "node.labels.zone"}') },
  )
  .meta({ title: "Placement preference" });

const MAX_PER_NODE = "must be a whole number from 1 up (leave it out for no limit)";

export const placementSchema = z
  .strictObject({
    constraints: z
      .array(constraintSchema, {
        error: bad("must be a list of constraints", 'e.g. ["node.labels.zone==eu"]'),
      })
      .optional()
      .meta({
        description: 'Swarm constraints a node must meet, e.g. "node.labels.zone==eu", "node.role!=manager".',
      }),
    preferences: z
      .array(preferenceSchema, { error: bad("must be a list of {spread: <label>}") })
      .optional()
      .meta({ description: "Spread tasks over the values of node labels, in order." }),
    maxReplicasPerNode: z
      .number({ error: notANumber(MAX_PER_NODE) })
      .int({ error: bad(MAX_PER_NODE) })
      .min(1, { error: bad(MAX_PER_NODE) })
      .optional()
      .meta({ description: "At most this many of the app's tasks on one node (absent: no limit)." }),
  })
  .meta({
    title: "Placement",
    description:
      "Where Swarm may run a non-persistent app (a persistent app's placement is its pin, spec.node).",
  });

export const modeSchema = z
  .enum(["replicated", "global"], { error: bad('must be "replicated" or "global"') })
  .meta({
    description: "replicated (default: spec.replicas tasks) or global (one task on every eligible node).",
  });

export const PLACEMENT_KEYS = Object.keys(placementSchema.shape);
export const PREFERENCE_KEYS = Object.keys(preferenceSchema.shape);
