import { createHash } from "node:crypto";
import type { ObservedMount, ObservedPort, ServiceFields } from "../swarm/types.js";
import { LABEL } from "../swarm/types.js";
import { normalizeFields } from "./normalize.js";

/**
 * Labels left out of the spec hash: the hash itself, and the Git revision, so that a commit that
 * does not touch an app does not redeploy it (the revision label is refreshed whenever the
 * service is updated for a real reason).
 */
export const UNHASHED_LABELS: readonly string[] = [LABEL.hash, LABEL.revision];

/**
 * The canonical hash of what AlaCrity sets on a service (stored as the `alacrity.hash` label).
 * Comparing it tells "the manifest changed" from "someone changed the service by hand".
 */
export function specHash(fields: ServiceFields): string {
  return normalizedSpecHash(normalizeFields(fields));
}

/**
 * `specHash` of fields that are already normalised (as `desiredFields` builds them). The text
 * hashed is exactly `canonicalJson` of the normalised fields without the unhashed labels — the
 * value every deployed service's label holds — written in a fixed key order rather than by
 * sorting copies of every object: with 10 000 apps the generic path was a third of `plan()`.
 */
export function normalizedSpecHash(n: ServiceFields): string {
  return createHash("sha256").update(hashedText(n)).digest("hex").slice(0, 32);
}

/** Members in sorted key order, undefined ones left out, as canonicalJson writes them. */
function hashedText(n: ServiceFields): string {
  const parts: string[] = [];
  const member = (key: string, json: string | undefined): void => {
    if (json !== undefined) parts.push(`"${key}":${json}`);
  };
  member("args", stringList(n.args));
  member("command", stringList(n.command));
  member("constraints", stringList(n.constraints));
  member("env", record(n.env, []));
  member("image", scalar(n.image));
  member("labels", record(n.labels, UNHASHED_LABELS));
  member("maxReplicasPerNode", scalar(n.maxReplicasPerNode));
  member("mounts", n.mounts === undefined ? undefined : `[${n.mounts.map(mount).join(",")}]`);
  member("ports", n.ports === undefined ? undefined : `[${n.ports.map(port).join(",")}]`);
  member("replicas", scalar(n.replicas));
  member("updateOrder", scalar(n.updateOrder));
  return `{${parts.join(",")}}`;
}

const scalar = (value: string | number | boolean | null | undefined): string | undefined =>
  value === undefined ? undefined : JSON.stringify(value);

function stringList(list: readonly string[] | undefined): string | undefined {
  return list === undefined
    ? undefined
    : `[${list.map((s) => (s === undefined ? "null" : JSON.stringify(s))).join(",")}]`;
}

/**
 * A normalised record's keys are in `sortedRecord` order, and JSON.stringify of the sorted copy
 * canonicalJson makes walks them in the same property order (integer-like keys first): so its own
 * order is the one to write.
 */
function record(r: Record<string, string>, skip: readonly string[]): string {
  const parts: string[] = [];
  for (const key of Object.keys(r)) {
    const value = r[key];
    if (value === undefined || skip.includes(key)) continue;
    parts.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
  }
  return `{${parts.join(",")}}`;
}

function mount(m: ObservedMount): string {
  const parts: string[] = [];
  if (m.kind !== undefined) parts.push(`"kind":${JSON.stringify(m.kind)}`);
  if (m.readOnly !== undefined) parts.push(`"readOnly":${JSON.stringify(m.readOnly)}`);
  if (m.source !== undefined) parts.push(`"source":${JSON.stringify(m.source)}`);
  if (m.target !== undefined) parts.push(`"target":${JSON.stringify(m.target)}`);
  return `{${parts.join(",")}}`;
}

function port(p: ObservedPort): string {
  const parts: string[] = [];
  if (p.protocol !== undefined) parts.push(`"protocol":${JSON.stringify(p.protocol)}`);
  if (p.published !== undefined) parts.push(`"published":${JSON.stringify(p.published)}`);
  if (p.target !== undefined) parts.push(`"target":${JSON.stringify(p.target)}`);
  return `{${parts.join(",")}}`;
}
