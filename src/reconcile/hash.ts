import { hash } from "node:crypto";
import type {
  DefaultedField,
  FileMountFields,
  HealthcheckFields,
  RestartPolicyFields,
  UpdatePolicyFields,
  NetworkAttachmentFields,
  ObservedMount,
  ObservedPort,
  ResourceFields,
  ServiceFields,
} from "../swarm/types.js";

type Amounts = NonNullable<ResourceFields["limits"]>;
import { LABEL } from "../domain/names.js";
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
 * hashed is exactly `canonicalJson` of the normalised fields without the unhashed labels, the
 * `defaulted` list and the fields it names — the value every deployed service's label holds — written in a fixed key order rather than by
 * sorting copies of every object: with 10 000 apps the generic path was a third of `plan()`.
 */
export function normalizedSpecHash(n: ServiceFields): string {
  // One-shot `hash`: a Hash object per app was a third of this function's time.
  return hash("sha256", hashedText(n), "hex").slice(0, 32);
}

/** Members in sorted key order, undefined ones left out, as canonicalJson writes them. */
function hashedText(n: ServiceFields): string {
  let out = "{";
  const member = (key: string, json: string | undefined): void => {
    if (json === undefined) return;
    out += out.length === 1 ? `"${key}":${json}` : `,"${key}":${json}`;
  };
  member("args", stringList(n.args));
  member("command", stringList(n.command));
  // The fields of issue 16 are written only when set (normalizeFields drops empty ones), so the
  // hash of an app that sets none of them is the one its service already carries.
  member("configs", n.configs === undefined ? undefined : list(n.configs, fileMount));
  member("constraints", stringList(n.constraints));
  member("endpointMode", scalar(n.endpointMode));
  member("env", record(n.env, undefined));
  // Issue 17's fields, like issue 16's, only when set; and not when they hold AlaCrity's defaults
  // (`defaulted`), so that a new default is no reason to redeploy.
  const own = <K extends DefaultedField>(key: K): ServiceFields[K] | undefined =>
    n.defaulted?.includes(key) ? undefined : n[key];
  member("healthcheck", n.healthcheck === undefined ? undefined : healthcheck(n.healthcheck));
  member("image", scalar(n.image));
  member("labels", record(n.labels, UNHASHED_LABELS));
  member("maxReplicasPerNode", scalar(n.maxReplicasPerNode));
  member("mounts", n.mounts === undefined ? undefined : list(n.mounts, mount));
  member("networks", n.networks === undefined ? undefined : list(n.networks, network));
  member("placementPreferences", stringList(n.placementPreferences));
  member("ports", n.ports === undefined ? undefined : list(n.ports, port));
  member("replicas", scalar(n.replicas));
  member("resources", n.resources === undefined ? undefined : resources(n.resources));
  member("restartPolicy", n.restartPolicy === undefined ? undefined : restartPolicy(n.restartPolicy));
  const rollbackConfig = own("rollbackConfig");
  member(
    "rollbackConfig",
    rollbackConfig === undefined ? undefined : policy(rollbackConfig, rollbackConfig.order),
  );
  member("secrets", n.secrets === undefined ? undefined : list(n.secrets, fileMount));
  member("stopGracePeriod", scalar(own("stopGracePeriod")));
  const updateConfig = own("updateConfig");
  member("updateConfig", updateConfig === undefined ? undefined : policy(updateConfig, undefined));
  member("updateOrder", scalar(n.updateOrder));
  return `${out}}`;
}

/** Characters JSON.stringify escapes: controls, quote, backslash, and (lone) surrogates. */
// eslint-disable-next-line no-control-regex -- the control characters are what JSON escapes
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;

/** JSON.stringify of a string, without its cost for the plain strings manifests are made of. */
const str = (s: string): string => (NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`);

function scalar(value: string | number | boolean | null | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === "string" ? str(value) : JSON.stringify(value);
}

function stringList(items: readonly string[] | undefined): string | undefined {
  if (items === undefined) return undefined;
  let out = "[";
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    out += (i === 0 ? "" : ",") + (item === undefined ? "null" : str(item));
  }
  return `${out}]`;
}

function list<T>(items: readonly T[], write: (item: T) => string): string {
  let out = "[";
  for (let i = 0; i < items.length; i++) out += (i === 0 ? "" : ",") + write(items[i]!);
  return `${out}]`;
}

/**
 * A normalised record's keys are in `sortedRecord` order, and JSON.stringify of the sorted copy
 * canonicalJson makes walks them in the same property order (integer-like keys first): so its own
 * order is the one to write.
 */
function record(r: Record<string, string>, skip: readonly string[] | undefined): string {
  let out = "{";
  for (const key in r) {
    if (!Object.hasOwn(r, key)) continue;
    const value = r[key];
    if (value === undefined || skip?.includes(key)) continue;
    out += `${out.length === 1 ? "" : ","}${str(key)}:${str(value)}`;
  }
  return `${out}}`;
}

function mount(m: ObservedMount): string {
  let out = "{";
  const add = (key: string, json: string | undefined): void => {
    if (json !== undefined) out += `${out.length === 1 ? "" : ","}"${key}":${json}`;
  };
  add("kind", scalar(m.kind));
  add("readOnly", scalar(m.readOnly));
  add("source", scalar(m.source));
  add("target", scalar(m.target));
  return `${out}}`;
}

function resources(r: ResourceFields): string {
  const amounts = (a: Amounts | undefined): string | undefined => {
    if (a === undefined) return undefined;
    let out = "{";
    if (a.memoryBytes !== undefined) out += `"memoryBytes":${a.memoryBytes}`;
    if (a.nanoCpus !== undefined) out += `${out.length === 1 ? "" : ","}"nanoCpus":${a.nanoCpus}`;
    return `${out}}`;
  };
  const limits = amounts(r.limits);
  const reservations = amounts(r.reservations);
  let out = "{";
  if (limits !== undefined) out += `"limits":${limits}`;
  if (reservations !== undefined) out += `${out.length === 1 ? "" : ","}"reservations":${reservations}`;
  return `${out}}`;
}

/** Writes the members that are set, in the order given (which must be sorted). */
function object(members: [string, string | undefined][]): string {
  let out = "{";
  for (const [key, json] of members) {
    if (json !== undefined) out += `${out.length === 1 ? "" : ","}"${key}":${json}`;
  }
  return `${out}}`;
}

function healthcheck(h: HealthcheckFields): string {
  return object([
    ["interval", scalar(h.interval)],
    ["retries", scalar(h.retries)],
    ["startPeriod", scalar(h.startPeriod)],
    ["test", stringList(h.test)],
    ["timeout", scalar(h.timeout)],
  ]);
}

function policy(p: UpdatePolicyFields, order: string | undefined): string {
  return object([
    ["delay", scalar(p.delay)],
    ["failureAction", scalar(p.failureAction)],
    ["maxFailureRatio", scalar(p.maxFailureRatio)],
    ["monitor", scalar(p.monitor)],
    ["order", scalar(order)],
    ["parallelism", scalar(p.parallelism)],
  ]);
}

function restartPolicy(r: RestartPolicyFields): string {
  return object([
    ["condition", scalar(r.condition)],
    ["delay", scalar(r.delay)],
    ["maxAttempts", scalar(r.maxAttempts)],
    ["window", scalar(r.window)],
  ]);
}

function port(p: ObservedPort): string {
  let out = "{";
  const add = (key: string, json: string | undefined): void => {
    if (json !== undefined) out += `${out.length === 1 ? "" : ","}"${key}":${json}`;
  };
  add("protocol", scalar(p.protocol));
  add("published", scalar(p.published));
  add("target", scalar(p.target));
  return `${out}}`;
}

function network(n: NetworkAttachmentFields): string {
  return `{"aliases":${stringList(n.aliases) ?? "[]"},"network":${str(n.network)}}`;
}

/** The source is the content's Swarm name, which carries its hash: a new value, a new app hash. */
function fileMount(m: FileMountFields): string {
  return `{"gid":${str(m.gid)},"mode":${m.mode},"source":${str(m.source)},"target":${str(m.target)},"uid":${str(m.uid)}}`;
}
