import type { z } from "zod";
import { formatPath, show, suggest } from "./format.js";
import { CONFIG_SPEC_KEYS, SECRET_SPEC_KEYS } from "./contentSchema.js";
import { KNOWN_KEYS } from "./schema.js";

/** A problem at a field path, before it is given a file position. */
export interface FieldProblem {
  path: PropertyKey[];
  message: string;
  /** Point at the key of the entry rather than at its value. */
  atKey?: boolean;
}

/** Turns zod's issues into field problems with messages that say how to fix them. */
export function problemsFromZod(issues: readonly z.core.$ZodIssue[], data: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    const path = [...issue.path];
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(path, valueAt(data, ["kind"]));
      for (const key of issue.keys) {
        const guess = suggest(key, known);
        const fix = guess ? `did you mean ${show(guess)}?` : `known fields here: ${known.join(", ")}`;
        problems.push({ path: [...path, key], message: `unknown field; ${fix}`, atKey: true });
      }
      continue;
    }
    if (issue.code === "invalid_union") {
      // `healthcheck: none | {...}`: once the value is of one branch's type, that branch's
      // issues say what is wrong with it; the union's own message only says which types it takes.
      const inner = branchPastItsType(issue.errors);
      if (inner !== undefined) {
        const prefixed = inner.map((i) => ({ ...i, path: [...path, ...i.path] }));
        problems.push(...problemsFromZod(prefixed, data));
        continue;
      }
    }
    if (issue.code === "invalid_key") {
      // A map key broke a rule: the key's own issues say which.
      for (const inner of issue.issues) problems.push({ path, message: inner.message, atKey: true });
      continue;
    }
    const typeIssue =
      issue.code === "invalid_type" || issue.code === "invalid_value" || issue.code === "invalid_union";
    if (typeIssue && !hasKey(data, path)) {
      const field = String(path[path.length - 1] ?? "");
      const parent = formatPath(path.slice(0, -1)) || "the document";
      problems.push({ path, message: `required field is missing; add "${field}:" to ${parent}` });
      continue;
    }
    let message = issue.message;
    if (message.startsWith("Invalid input")) {
      // zod's own wording: only for the few places without a custom message (objects).
      const expected = issue.code === "invalid_type" ? describe(issue.expected) : "a valid value";
      message = `must be ${expected} (got ${show(valueAt(data, path))})`;
    }
    problems.push({ path, message });
  }
  return problems;
}

/** The one branch of a union whose issues are not about the value's type, if there is one. */
function branchPastItsType(
  branches: readonly (readonly z.core.$ZodIssue[])[],
): readonly z.core.$ZodIssue[] | undefined {
  const typed = branches.filter(
    (issues) =>
      issues.length > 0 &&
      !issues.some((i) => i.path.length === 0 && (i.code === "invalid_type" || i.code === "invalid_value")),
  );
  return typed.length === 1 ? typed[0] : undefined;
}

const OTHER_SPEC_KEYS = {
  Network: ["internal", "attachable", "encrypted", "external"],
  Secret: SECRET_SPEC_KEYS,
  Config: CONFIG_SPEC_KEYS,
};

function describe(expected: string): string {
  if (expected === "object" || expected === "record") return "a map";
  if (expected === "array") return "a list";
  return `a ${expected}`;
}

function knownKeysAt(path: PropertyKey[], kind: unknown): string[] {
  const where = formatPath(path.map((segment) => (typeof segment === "number" ? 0 : segment)));
  if (where === "") return KNOWN_KEYS.root;
  if (kind === "Network" || kind === "Secret" || kind === "Config") {
    if (where === "metadata") return ["name", "labels"];
    if (where === "spec") return OTHER_SPEC_KEYS[kind];
    return [];
  }
  if (where === "metadata") return KNOWN_KEYS.metadata;
  if (where === "spec") return KNOWN_KEYS.spec;
  if (where === "spec.ports[0]") return KNOWN_KEYS.port;
  if (where === "spec.volumes[0]") return KNOWN_KEYS.volume;
  if (where === "spec.resources") return KNOWN_KEYS.resources;
  if (where === "spec.networks[0]") return KNOWN_KEYS.appNetwork;
  if (where === "spec.secrets[0]" || where === "spec.configs[0]") return KNOWN_KEYS.fileRef;
  if (where === "spec.resources.limits" || where === "spec.resources.reservations")
    return KNOWN_KEYS.resourceAmounts;
  if (where === "spec.healthcheck") return KNOWN_KEYS.healthcheck;
  if (where === "spec.update" || where === "spec.rollback") return KNOWN_KEYS.updatePolicy;
  if (where === "spec.restart") return KNOWN_KEYS.restartPolicy;
  if (where === "spec.placement") return KNOWN_KEYS.placement;
  if (where === "spec.placement.preferences[0]") return KNOWN_KEYS.preference;
  return [];
}

export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function hasKey(data: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return data !== undefined;
  const parent = valueAt(data, path.slice(0, -1));
  return parent !== null && typeof parent === "object" && Object.hasOwn(parent, path[path.length - 1]!);
}
