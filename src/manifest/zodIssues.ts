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
    if (issue.code === "invalid_key") {
      // A map key broke a rule: the key's own issues say which.
      for (const inner of issue.issues) problems.push({ path, message: inner.message, atKey: true });
      continue;
    }
    if ((issue.code === "invalid_type" || issue.code === "invalid_value") && !hasKey(data, path)) {
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
