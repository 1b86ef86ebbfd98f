import type { AppSpec, DesiredState, InvalidApp } from "../manifest/types.js";

/**
 * The names of the apps whose desired state changed between two reads of the apps directory:
 * added, removed, or with a different spec, plus apps that became invalid, became valid again, or
 * whose validation errors changed (their rejection must be reported again).
 *
 * Positions (`positions`, and the line and column of `source`) are ignored: a comment added above an
 * app moves its lines without changing what it asks for. The file is compared, because it is
 * recorded on the service (`alacrity.file`) and decides which failed file protects it from pruning.
 */
export function changedApps(previous: DesiredState, next: DesiredState): Set<string> {
  const changed = new Set<string>();
  for (const [name, spec] of next.apps) {
    const before = previous.apps.get(name);
    if (!before || !sameSpec(before, spec)) changed.add(name);
  }
  for (const name of previous.apps.keys()) {
    if (!next.apps.has(name)) changed.add(name);
  }
  const invalidBefore = invalidByName(previous.invalid);
  const invalidNow = invalidByName(next.invalid);
  for (const [name, errors] of invalidNow) {
    if (invalidBefore.get(name) !== errors) changed.add(name);
  }
  for (const name of invalidBefore.keys()) {
    if (!invalidNow.has(name)) changed.add(name);
  }
  for (const name of appsOfChangedResources(previous, next)) changed.add(name);
  return changed;
}

/**
 * The apps that use a Network, Secret or Config whose document or content changed: their
 * services must follow (a new secret value is a new Swarm secret, so an update of each app).
 */
function appsOfChangedResources(previous: DesiredState, next: DesiredState): Set<string> {
  const changed = new Set<string>();
  const networks = changedNames(previous.networks, next.networks);
  const secrets = changedNames(previous.secrets, next.secrets);
  const configs = changedNames(previous.configs, next.configs);
  for (const [key, version] of next.contentVersions ?? []) {
    if (previous.contentVersions?.get(key) === version) continue;
    const [kind, name] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
    (kind === "secret" ? secrets : configs).add(name);
  }
  for (const key of previous.contentVersions?.keys() ?? []) {
    if (next.contentVersions?.has(key)) continue;
    const [kind, name] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
    (kind === "secret" ? secrets : configs).add(name);
  }
  if (networks.size === 0 && secrets.size === 0 && configs.size === 0) return changed;
  for (const [name, app] of next.apps) {
    if (
      (app.networks ?? []).some((n) => networks.has(n.name)) ||
      (app.secrets ?? []).some((s) => secrets.has(s.name)) ||
      (app.configs ?? []).some((c) => configs.has(c.name))
    )
      changed.add(name);
  }
  return changed;
}

/** Names declared in one state and not the other, or declared differently (positions aside). */
function changedNames<T extends { positions: unknown; source: { file: string } }>(
  before: ReadonlyMap<string, T> | undefined,
  after: ReadonlyMap<string, T> | undefined,
): Set<string> {
  const names = new Set<string>();
  const comparableDoc = (doc: T): unknown => {
    const { positions: _positions, source, ...rest } = doc;
    return { ...rest, sourceFile: source.file };
  };
  for (const [name, doc] of after ?? []) {
    const old = before?.get(name);
    if (!old || !deepEqual(comparableDoc(old), comparableDoc(doc))) names.add(name);
  }
  for (const name of before?.keys() ?? []) if (!after?.has(name)) names.add(name);
  return names;
}

/** Invalid documents by app name, each as a canonical string of its errors (positions left out). */
function invalidByName(invalid: InvalidApp[]): Map<string, string> {
  const byName = new Map<string, string[]>();
  for (const doc of invalid) {
    if (doc.name === undefined) continue;
    const list = byName.get(doc.name) ?? [];
    for (const e of doc.errors) list.push(`${doc.file}\u0000${e.path}\u0000${e.message}`);
    byName.set(doc.name, list);
  }
  return new Map([...byName].map(([name, list]) => [name, list.sort().join("\u0001")]));
}

function sameSpec(a: AppSpec, b: AppSpec): boolean {
  return deepEqual(comparable(a), comparable(b));
}

function comparable(spec: AppSpec): Omit<AppSpec, "positions" | "source"> & { sourceFile: string } {
  const { positions: _positions, source, ...rest } = spec;
  return { ...rest, sourceFile: source.file };
}

/** Structural equality of plain data (objects, arrays, primitives); key order does not matter. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  // An absent key and a key set to undefined mean the same in a parsed manifest.
  const keysA = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const keysB = Object.keys(rb).filter((k) => rb[k] !== undefined);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && deepEqual(ra[k], rb[k]));
}
