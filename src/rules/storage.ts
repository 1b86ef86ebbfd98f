import type { AppSpec, SourcePosition, VolumeSpec } from "../manifest/types.js";
import type { ObservedMount, ObservedService } from "../swarm/types.js";
import { volumeName } from "../domain/names.js";
import type { Rejection, StageRule } from "./rule.js";
import { normalizeAbsolute } from "./hostPaths.js";

export type DockerVolumeSpec = Exclude<VolumeSpec, { kind: "host" }>;

/** The Docker volume a volume mounts: `alacran--<name>`, or an external one by its own name. */
export const dockerVolumeOf = (v: DockerVolumeSpec): string =>
  v.kind === "named" ? volumeName(v.name) : v.name;

/** Where a volume's data is, as `docker volume ls` or the host shows it (status's VOLUMES column). */
export const storageName = (v: VolumeSpec): string => (v.kind === "host" ? v.hostPath : dockerVolumeOf(v));

/**
 * One storage location: a Docker volume or a host directory, in a form where equal means same,
 * so `external: alacran--x` and `name: x` are one volume.
 */
export const volumeKey = (v: VolumeSpec): string =>
  v.kind === "host" ? `host:${normalizeHostPath(v.hostPath)}` : `volume:${dockerVolumeOf(v)}`;

export const mountKey = (m: ObservedMount): string =>
  m.kind === "named" ? `volume:${m.source}` : `host:${normalizeHostPath(m.source)}`;

/** `/srv//a/./b/` and `/srv/a/b` are one directory. */
export const normalizeHostPath = normalizeAbsolute;

const HOST = "host:";

/** The keys of the directories containing a host path's key, nearest first; none for a volume. */
export function parentKeys(key: string): string[] {
  if (!key.startsWith(HOST)) return [];
  const parents: string[] = [];
  let path = key.slice(HOST.length);
  while (path !== "/") {
    path = path.slice(0, Math.max(path.lastIndexOf("/"), 1));
    parents.push(`${HOST}${path}`);
  }
  return parents;
}

/**
 * For each key, the directories containing it that are claimed themselves, computed once per key:
 * only those can conflict, and most paths have none, so filing and looking up a claim stays a
 * couple of map operations rather than one per directory level.
 */
function claimedParents(claimed: ReadonlySet<string>): (key: string) => string[] {
  const known = new Map<string, string[]>();
  return (key) => {
    let parents = known.get(key);
    if (!parents) known.set(key, (parents = parentKeys(key).filter((parent) => claimed.has(parent))));
    return parents;
  };
}

/** One claim on a storage key; the lowest rank keeps it. */
interface Claim {
  owner: string;
  key: string;
  rank: number;
}

/**
 * Claims filed under their own key and under every directory that contains their host path, so
 * the claims related to a key (the same key, a directory containing it, a path inside it) take
 * O(depth) lookups rather than a comparison of every pair: the planner handles 10,000 apps.
 * Claims must be added in rank order, all of one owner's together; a lookup needs only the first
 * two owners under a key (the first that is not the asker), so no more are kept.
 */
class ClaimIndex {
  readonly #on = new Map<string, Claim[]>();
  readonly #within = new Map<string, Claim[]>();
  /** The claimed directories containing a key (see claimedParents). */
  readonly #parents: (key: string) => string[];

  constructor(parents: (key: string) => string[]) {
    this.#parents = parents;
  }

  add(claim: Claim): void {
    file(this.#on, claim.key, claim);
    file(this.#within, claim.key, claim);
    for (const parent of this.#parents(claim.key)) file(this.#within, parent, claim);
  }

  /** The first related claim by an owner other than `owner`. */
  firstOther(key: string, owner: string): Claim | undefined {
    let first = firstNotBy(this.#within.get(key), owner);
    for (const parent of this.#parents(key)) {
      const claim = firstNotBy(this.#on.get(parent), owner);
      if (claim && (!first || claim.rank < first.rank)) first = claim;
    }
    return first;
  }
}

function file(index: Map<string, Claim[]>, key: string, claim: Claim): void {
  const list = index.get(key);
  if (!list) index.set(key, [claim]);
  else if (list.length < 2 && list[0]?.owner !== claim.owner) list.push(claim);
}

function firstNotBy(list: Claim[] | undefined, owner: string): Claim | undefined {
  return list?.[0]?.owner === owner ? list[1] : list?.[0];
}

/**
 * Two apps never share one storage path (CONTRACT §2.8), and a host directory inside another
 * app's counts as shared: the app with the outer one could plant a symlink the other binds. The
 * app already deployed with a volume or host path keeps it; the newcomer is rejected. A newcomer
 * is an app whose service does not mount the path yet. When no service mounts a related path,
 * the app whose manifest comes first (file, line) keeps it. An app whose service already mounts
 * the path is never rejected for it: rejecting it would not stop it anyway, and it is the one
 * "already deployed".
 *
 * `apps` are the candidate apps; `services` the services this instance manages (including those
 * of apps no longer or not validly defined: their data is in use until they are gone).
 */
export function storageConflicts(apps: AppSpec[], services: ObservedService[]): Map<string, Rejection> {
  // Most apps and services have no storage: they cost a length check here (10,000 apps are planned
  // in well under 200 ms).
  const claimed = new Set<string>();
  const keysOf = (keys: Set<string>): Set<string> => {
    for (const key of keys) claimed.add(key);
    return keys;
  };
  const held = services
    .filter((s) => s.fields.mounts.length > 0)
    .sort((a, b) => compare(a.name, b.name))
    .map((s) => ({ owner: s.name, keys: keysOf(new Set(s.fields.mounts.map(mountKey))) }));
  const ordered = [...apps].sort(bySource);
  const claims: { app: AppSpec; keys: Set<string>; rank: number }[] = [];
  ordered.forEach((app, rank) => {
    if (app.volumes.length > 0) claims.push({ app, keys: keysOf(new Set(app.volumes.map(volumeKey))), rank });
  });
  const parents = claimedParents(claimed);

  const holders = new ClaimIndex(parents);
  const mounted = new Set<string>();
  held.forEach(({ owner, keys }, rank) => {
    for (const key of keys) {
      holders.add({ owner, key, rank });
      mounted.add(`${owner}\u0000${key}`);
    }
  });
  const byName = new Map(claims.map(({ app }) => [app.name, app]));
  const claimants = new ClaimIndex(parents);
  for (const { app, keys, rank } of claims) {
    for (const key of keys) claimants.add({ owner: app.name, key, rank });
  }

  const rejections = new Map<string, Rejection>();
  for (const { app, rank } of claims) {
    for (const [index, v] of app.volumes.entries()) {
      const key = volumeKey(v);
      if (mounted.has(`${app.name}\u0000${key}`)) continue;
      const claim = claimants.firstOther(key, app.name);
      const other =
        deployedClaim(holders.firstOther(key, app.name), key) ??
        earlierClaim(claim && claim.rank < rank ? claim : undefined, byName, key);
      if (other === undefined) continue;
      rejections.set(app.name, {
        app: app.name,
        rule: "storage-conflict",
        message: `${describeVolume(v)} ${other}; two apps never share one storage path, nor one host directory inside another's. Use another ${
          v.kind === "host" ? "host path" : "volume name"
        }, or remove it from the other app first`,
        position: volumePosition(app, index, v),
      });
      break;
    }
  }
  return rejections;
}

/** CONTRACT §2.8: the rule that refuses two apps on one volume name or one host path. */
export const STORAGE_CONFLICT = {
  id: "storage-conflict",
  title: "Two apps never share one storage path (a volume, a host path, or a host path inside another's)",
  contract: "§2.8",
  input: "apps+services",
  check: storageConflicts,
} as const satisfies StageRule;

function deployedClaim(claim: Claim | undefined, key: string): string | undefined {
  if (!claim) return undefined;
  return claim.key === key
    ? `is already used by app ${claim.owner}, which keeps it`
    : `${nesting(key, claim.key)} of app ${claim.owner}, which is deployed and keeps it`;
}

function earlierClaim(
  claim: Claim | undefined,
  byName: ReadonlyMap<string, AppSpec>,
  key: string,
): string | undefined {
  const first = claim && byName.get(claim.owner);
  if (!claim || !first) return undefined;
  const where = `(${first.source.file}:${first.source.line})`;
  return claim.key === key
    ? `is also declared by app ${first.name} ${where}, which comes first and keeps it`
    : `${nesting(key, claim.key)} of app ${first.name} ${where}, which comes first and keeps it`;
}

/** How the host path of `key` relates to the other, nested one. */
function nesting(key: string, other: string): string {
  const path = `host path ${other.slice(HOST.length)}`;
  return parentKeys(key).includes(other) ? `lies inside ${path}` : `contains ${path}`;
}

function describeVolume(v: VolumeSpec): string {
  if (v.kind === "host") return `host path ${normalizeHostPath(v.hostPath)}`;
  return v.kind === "named"
    ? `volume ${v.name} (Docker volume ${volumeName(v.name)})`
    : `external volume ${v.name}`;
}

/** The manifest field that names a volume's source, by kind. */
export const SOURCE_FIELD = { named: "name", host: "hostPath", external: "external" } as const;

export function volumePosition(app: AppSpec, index: number, v: VolumeSpec): SourcePosition {
  const base = `spec.volumes[${index}]`;
  return app.positions[`${base}.${SOURCE_FIELD[v.kind]}`] ?? app.positions[base] ?? app.source;
}

function bySource(a: AppSpec, b: AppSpec): number {
  const fa = a.file;
  const fb = b.file;
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (
    a.source.line - b.source.line ||
    a.source.col - b.source.col ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
