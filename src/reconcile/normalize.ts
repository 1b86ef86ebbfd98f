import type { ObservedMount, ObservedPort, ServiceFields } from "../swarm/types.js";

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
  return out;
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
