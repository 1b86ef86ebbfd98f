import { show } from "../../manifest/format.js";

/*
 * Compose names may hold `_`, `.` and capitals; AlaCrity's are 1-63 characters of [a-z0-9-]
 * starting and ending alphanumeric (41 for secrets and configs). The mapping is deterministic:
 * lowercase, every run of other characters one `-`, trimmed, cut to the limit. Two compose names
 * that map to one name are refused, never silently merged.
 */

export const APP_NAME_MAX = 63;
export const CONTENT_NAME_MAX = 41;

/** The AlaCrity name of a compose name, or undefined when nothing of it is left. */
export function manifestName(name: string, max: number): string | undefined {
  const mapped = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, max)
    .replace(/-+$/, "");
  return mapped === "" ? undefined : mapped;
}

export interface NameTable {
  /** Compose name → AlaCrity name, for every name that could be mapped. */
  names: Map<string, string>;
  /** One sentence per refused name (nothing left of it, or a collision). */
  errors: { name: string; message: string }[];
}

/** Maps each compose name of one kind; `reserved` names are taken already (AlaCrity's `default` network). */
export function nameTable(
  kind: string,
  composeNames: readonly string[],
  max: number,
  reserved: ReadonlyMap<string, string> = new Map(),
): NameTable {
  const names = new Map<string, string>();
  const errors: NameTable["errors"] = [];
  const owner = new Map<string, string>();
  for (const name of [...composeNames].sort()) {
    const mapped = manifestName(name, max);
    if (mapped === undefined) {
      errors.push({
        name,
        message: `the ${kind} name ${show(name)} has no letter or digit; rename it in the compose file`,
      });
      continue;
    }
    const taken = owner.get(mapped);
    const why = reserved.get(mapped);
    if (taken !== undefined || why !== undefined) {
      const other = taken !== undefined ? `the ${kind} ${show(taken)}` : why;
      errors.push({
        name,
        message: `the ${kind} ${show(name)} would be named ${show(mapped)}, as ${other}; rename one of them in the compose file`,
      });
      continue;
    }
    owner.set(mapped, name);
    names.set(name, mapped);
  }
  return { names, errors };
}
