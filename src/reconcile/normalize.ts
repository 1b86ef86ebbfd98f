import type {
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

/**
 * The one shape both sides are compared in: env keys sorted, an empty command/args treated as
 * absent (Swarm drops an empty list, meaning "the image's default"), port protocol defaulted to
 * tcp, mount readOnly defaulted to false. Ports, mounts and constraints keep their order: the
 * order is what we set and what Swarm returns.
 */
export function normalizeFields(f: ServiceFields): ServiceFields {
  const out: ServiceFields = {
    image: f.image,
    env: sortedRecord(f.env),
    ports: f.ports.map(normalizePort),
    mounts: f.mounts.map(normalizeMount),
    constraints: [...f.constraints],
    labels: sortedRecord(f.labels),
    replicas: f.replicas,
    updateOrder: f.updateOrder,
    maxReplicasPerNode: f.maxReplicasPerNode || 0,
  };
  if (f.command !== undefined && f.command.length > 0) out.command = [...f.command];
  if (f.args !== undefined && f.args.length > 0) out.args = [...f.args];
  const resources = normalizeResources(f.resources);
  if (resources) out.resources = resources;
  // Absent and empty (or vip, Swarm's default) are one state: an app that sets none of these
  // keeps the fields, and so the hash, it had before AlaCrity knew about them.
  if (f.networks !== undefined && f.networks.length > 0) out.networks = normalizeNetworks(f.networks);
  if (f.endpointMode === "dnsrr") out.endpointMode = "dnsrr";
  if (f.secrets !== undefined && f.secrets.length > 0) out.secrets = normalizeFileMounts(f.secrets);
  if (f.configs !== undefined && f.configs.length > 0) out.configs = normalizeFileMounts(f.configs);
  // Issue 17: each present only when set, so that, again, an app that sets none keeps its hash.
  if (f.healthcheck !== undefined) out.healthcheck = normalizeHealthcheck(f.healthcheck);
  if (f.updateConfig !== undefined) out.updateConfig = normalizePolicy(f.updateConfig);
  if (f.rollbackConfig !== undefined)
    out.rollbackConfig = { ...normalizePolicy(f.rollbackConfig), order: f.rollbackConfig.order };
  if (f.restartPolicy !== undefined) out.restartPolicy = normalizeRestartPolicy(f.restartPolicy);
  if (f.stopGracePeriod !== undefined) out.stopGracePeriod = f.stopGracePeriod;
  if (f.placementPreferences !== undefined && f.placementPreferences.length > 0)
    out.placementPreferences = [...f.placementPreferences];
  if (f.defaulted !== undefined && f.defaulted.length > 0)
    out.defaulted = [...new Set(f.defaulted)].sort(compare);
  return out;
}

/** A 0 duration or retry count is Swarm's "inherit the image's": the same as absent. */
export function normalizeHealthcheck(h: HealthcheckFields): HealthcheckFields {
  const out: HealthcheckFields = { test: [...h.test] };
  if (h.interval) out.interval = h.interval;
  if (h.timeout) out.timeout = h.timeout;
  if (h.retries) out.retries = h.retries;
  if (h.startPeriod) out.startPeriod = h.startPeriod;
  return out;
}

export function normalizePolicy(p: UpdatePolicyFields): UpdatePolicyFields {
  return {
    parallelism: p.parallelism,
    delay: p.delay,
    failureAction: p.failureAction,
    monitor: p.monitor,
    maxFailureRatio: p.maxFailureRatio,
  };
}

/**
 * No attempts limit and no window are both "unbounded" as 0 or absent; a delay of 0 is not the
 * same as none (Swarm's 5 s), so it is kept.
 */
export function normalizeRestartPolicy(r: RestartPolicyFields): RestartPolicyFields {
  const out: RestartPolicyFields = { condition: r.condition };
  if (r.delay !== undefined) out.delay = r.delay;
  if (r.maxAttempts) out.maxAttempts = r.maxAttempts;
  if (r.window) out.window = r.window;
  return out;
}

/** Sorted by network name, aliases sorted: Swarm keeps neither order meaningful. */
export function normalizeNetworks(networks: readonly NetworkAttachmentFields[]): NetworkAttachmentFields[] {
  return networks
    .map((n) => ({ network: n.network, aliases: [...n.aliases].sort() }))
    .sort((a, b) => compare(a.network, b.network));
}

/** Sorted by target (one file per target), in a fixed key order. */
export function normalizeFileMounts(mounts: readonly FileMountFields[]): FileMountFields[] {
  return mounts
    .map((m) => ({ source: m.source, target: m.target, uid: m.uid, gid: m.gid, mode: m.mode }))
    .sort((a, b) => compare(a.target, b.target));
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Only the amounts that are set (a 0 is Swarm's "none"), in a fixed key order; undefined when
 * nothing is set, so that the fields and hash of an app without resources are what they were
 * before AlaCrity knew about resources.
 */
export function normalizeResources(r: ResourceFields | undefined): ResourceFields | undefined {
  const amounts = (a: Amounts | undefined): Amounts | undefined => {
    const out: Amounts = {};
    if (a?.memoryBytes) out.memoryBytes = a.memoryBytes;
    if (a?.nanoCpus) out.nanoCpus = a.nanoCpus;
    return out.memoryBytes !== undefined || out.nanoCpus !== undefined ? out : undefined;
  };
  const limits = amounts(r?.limits);
  const reservations = amounts(r?.reservations);
  if (!limits && !reservations) return undefined;
  return { ...(limits ? { limits } : {}), ...(reservations ? { reservations } : {}) };
}

function normalizePort(p: ObservedPort): ObservedPort {
  const out: ObservedPort = { target: p.target, protocol: p.protocol ?? "tcp" };
  if (p.published !== undefined) out.published = p.published;
  return out;
}

function normalizeMount(m: ObservedMount): ObservedMount {
  return { kind: m.kind, source: m.source, target: m.target, readOnly: m.readOnly ?? false };
}

export function sortedRecord(r: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(r ?? {}).sort()) out[key] = (r ?? {})[key] ?? "";
  return out;
}
