import { formatCpus, formatMemory } from "../manifest/resources.js";
import type {
  FileMountFields,
  NetworkAttachmentFields,
  ObservedMount,
  ObservedPort,
  ResourceFields,
  ServiceFields,
} from "../swarm/types.js";
import { CONTENT_HASH_DIGITS } from "../domain/names.js";

type Amounts = NonNullable<ResourceFields["limits"]>;
import type { FieldChange } from "./types.js";
import { normalizeFields } from "./normalize.js";
import { SET } from "./redact.js";
import { diffPolicies, samePolicies } from "./policyDiff.js";

const UNSET = "(unset)";
const CHANGED = "(changed)";
const NONE = "(none)";
/** What a secret's or config's new value shows as: that it changed, never to what. */
export const CONTENT_CHANGED = "changed (value hidden)";

/**
 * The field-level differences between two services, for `plan` and logs (issue 17's fields in
 * policyDiff.ts, AlaCrity's defaults among them marked as such). Env values are never
 * shown: a changed variable reads `env.KEY: (set) → (changed)`, a new one `(unset) → (set)`.
 * Both sides are normalised first, so formatting differences are not changes.
 */
export function diffFields(old: ServiceFields, next: ServiceFields): FieldChange[] {
  const a = normalizeFields(old);
  const b = normalizeFields(next);
  const changes: FieldChange[] = [];
  const scalar = (field: string, from: string, to: string): void => {
    if (from !== to) changes.push({ field, from, to });
  };

  scalar("image", a.image, b.image);
  scalar("command", formatList(a.command), formatList(b.command));
  scalar("args", formatList(a.args), formatList(b.args));
  for (const key of unionKeys(a.env, b.env)) {
    const from = own(a.env, key);
    const to = own(b.env, key);
    if (from === to) continue;
    changes.push({
      field: `env.${key}`,
      from: from === undefined ? UNSET : SET,
      to: to === undefined ? UNSET : from === undefined ? SET : CHANGED,
    });
  }
  scalar("ports", formatPorts(a.ports), formatPorts(b.ports));
  scalar("mounts", formatMounts(a.mounts), formatMounts(b.mounts));
  scalar("constraints", a.constraints.join(", ") || NONE, b.constraints.join(", ") || NONE);
  for (const key of unionKeys(a.labels, b.labels)) {
    scalar(`labels.${key}`, own(a.labels, key) ?? UNSET, own(b.labels, key) ?? UNSET);
  }
  scalar("replicas", formatReplicas(a.replicas), formatReplicas(b.replicas));
  scalar("updateOrder", a.updateOrder, b.updateOrder);
  scalar("maxReplicasPerNode", String(a.maxReplicasPerNode), String(b.maxReplicasPerNode));
  for (const kind of ["limits", "reservations"] as const) {
    const from = a.resources?.[kind];
    const to = b.resources?.[kind];
    scalar(
      `resources.${kind}.cpus`,
      formatAmount(from?.nanoCpus, formatCpus),
      formatAmount(to?.nanoCpus, formatCpus),
    );
    scalar(
      `resources.${kind}.memory`,
      formatAmount(from?.memoryBytes, formatMemory),
      formatAmount(to?.memoryBytes, formatMemory),
    );
  }
  scalar("networks", formatNetworks(a.networks), formatNetworks(b.networks));
  scalar("endpointMode", a.endpointMode ?? "vip", b.endpointMode ?? "vip");
  changes.push(...diffFileMounts("secrets", a.secrets, b.secrets));
  changes.push(...diffFileMounts("configs", a.configs, b.configs));
  changes.push(...diffPolicies(a, b));
  return changes;
}

/** A content's Swarm name, `alacran--<name>--<12 hex>`: the document name is what a reader knows. */
const CONTENT_NAME = new RegExp(`^alacran--(.+)--[0-9a-f]{${CONTENT_HASH_DIGITS}}$`);

/** The Secret or Config document a mount comes from (an external one: its Swarm name). */
export function contentResource(source: string): string {
  return CONTENT_NAME.exec(source)?.[1] ?? source;
}

/**
 * Changes of secrets or configs, one per document: `secrets.db-password`. A new value shows as
 * `changed (value hidden)`, never as the old and new Swarm names: those carry the content's hash.
 */
function diffFileMounts(
  kind: "secrets" | "configs",
  old: readonly FileMountFields[] | undefined,
  next: readonly FileMountFields[] | undefined,
): FieldChange[] {
  const byResource = (mounts: readonly FileMountFields[] | undefined): Map<string, FileMountFields> =>
    new Map((mounts ?? []).map((m) => [contentResource(m.source), m]));
  const a = byResource(old);
  const b = byResource(next);
  const changes: FieldChange[] = [];
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const from = a.get(key);
    const to = b.get(key);
    const field = `${kind}.${key}`;
    if (from === undefined || to === undefined) {
      changes.push({
        field,
        from: from === undefined ? UNSET : formatFileMount(from),
        to: to === undefined ? UNSET : formatFileMount(to),
      });
      continue;
    }
    const fromFile = formatFileMount(from);
    const toFile = formatFileMount(to);
    if (fromFile !== toFile) changes.push({ field, from: fromFile, to: toFile });
    if (from.source !== to.source) changes.push({ field, from: SET, to: CONTENT_CHANGED });
  }
  return changes;
}

/** Where the file goes and who may read it, never where its content comes from. */
export function formatFileMount(m: FileMountFields): string {
  return `${m.target} (uid ${m.uid}, gid ${m.gid}, mode ${m.mode.toString(8).padStart(4, "0")})`;
}

export function formatNetworks(networks: readonly NetworkAttachmentFields[] | undefined): string {
  if (networks === undefined || networks.length === 0) return NONE;
  return networks
    .map((n) => (n.aliases.length > 0 ? `${n.network} (aliases ${n.aliases.join(", ")})` : n.network))
    .join(", ");
}

/**
 * True when `diffFields(old, next)` would find no difference, decided without building the two
 * normalised copies and the change texts: most services of a plan match, and with 10 000 apps the
 * diff of every one of them was a quarter of `plan()`. `next` must be normalised (as
 * `desiredFields` returns it). May answer false for equal fields (the caller then diffs); never
 * true for different ones, but for AlaCrity's defaults (`next.defaulted`), which it does not compare.
 */
export function sameFields(old: ServiceFields, next: ServiceFields): boolean {
  return (
    old.image === next.image &&
    sameList(old.command, next.command) &&
    sameList(old.args, next.args) &&
    sameRecord(old.env, next.env) &&
    old.ports.length === next.ports.length &&
    old.ports.every((p, i) => {
      const q = next.ports[i]!;
      return p.target === q.target && (p.protocol ?? "tcp") === q.protocol && p.published === q.published;
    }) &&
    old.mounts.length === next.mounts.length &&
    old.mounts.every((m, i) => {
      const n = next.mounts[i]!;
      return (
        m.kind === n.kind &&
        m.source === n.source &&
        m.target === n.target &&
        (m.readOnly ?? false) === n.readOnly
      );
    }) &&
    sameList(old.constraints, next.constraints) &&
    sameRecord(old.labels, next.labels) &&
    old.replicas === next.replicas &&
    old.updateOrder === next.updateOrder &&
    (old.maxReplicasPerNode || 0) === next.maxReplicasPerNode &&
    sameResources(old.resources, next.resources) &&
    sameNetworks(old.networks, next.networks) &&
    (old.endpointMode ?? "vip") === (next.endpointMode ?? "vip") &&
    sameFileMounts(old.secrets, next.secrets) &&
    sameFileMounts(old.configs, next.configs) &&
    samePolicies(old, next)
  );
}

/** Compared in order: `next` is normalised, and a differently ordered `old` is only diffed. */
function sameNetworks(
  a: readonly NetworkAttachmentFields[] | undefined,
  b: readonly NetworkAttachmentFields[] | undefined,
): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return (
    x.length === y.length &&
    x.every((n, i) => n.network === y[i]!.network && sameList(n.aliases, y[i]!.aliases))
  );
}

function sameFileMounts(
  a: readonly FileMountFields[] | undefined,
  b: readonly FileMountFields[] | undefined,
): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return (
    x.length === y.length &&
    x.every((m, i) => {
      const n = y[i]!;
      return (
        m.source === n.source &&
        m.target === n.target &&
        m.uid === n.uid &&
        m.gid === n.gid &&
        m.mode === n.mode
      );
    })
  );
}

function sameResources(a: ResourceFields | undefined, b: ResourceFields | undefined): boolean {
  if (a === undefined && b === undefined) return true;
  const same = (x: Amounts | undefined, y: Amounts | undefined): boolean =>
    (x?.nanoCpus || 0) === (y?.nanoCpus || 0) && (x?.memoryBytes || 0) === (y?.memoryBytes || 0);
  return same(a?.limits, b?.limits) && same(a?.reservations, b?.reservations);
}

function formatAmount(amount: number | undefined, format: (amount: number) => string): string {
  return amount ? format(amount) : NONE;
}

/** Lists compared as diffFields does: an empty list is the same as none. */
function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(b, key) || (a[key] ?? "") !== b[key]) return false;
  }
  return true;
}

/** A user's key may be `constructor` or `toString`: only the record's own entries count. */
const own = (r: Record<string, string>, key: string): string | undefined =>
  Object.hasOwn(r, key) ? r[key] : undefined;

function unionKeys(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

export function formatList(list: string[] | undefined): string {
  return list === undefined ? "(image default)" : JSON.stringify(list);
}

export function formatReplicas(r: number | null): string {
  return r === null ? "global" : String(r);
}

export function formatPorts(ports: ObservedPort[]): string {
  if (ports.length === 0) return NONE;
  return ports
    .map((p) => `${p.published !== undefined ? `${p.published}:` : ""}${p.target}/${p.protocol}`)
    .join(", ");
}

export function formatMount(m: ObservedMount): string {
  return `${m.kind === "named" ? "volume" : "host"} ${m.source} -> ${m.target}${m.readOnly ? " (read-only)" : ""}`;
}

function formatMounts(mounts: ObservedMount[]): string {
  return mounts.length === 0 ? NONE : mounts.map(formatMount).join(", ");
}
