import type { Document, LineCounter } from "yaml";
import { deployOf, deployPaths } from "./deploySpec.js";
import { formatPath } from "./format.js";
import { memoryBytes, nanoCpus } from "./resources.js";
import type { AppManifest } from "./schema.js";
import { targetOf } from "./appRefsSchema.js";
import type {
  AppFileRef,
  AppSpec,
  ResourceAmounts,
  ResourceSpec,
  SourcePosition,
  VolumeSpec,
} from "./types.js";
import { nodeAt, nodePosition, positionAt } from "./yamlNodes.js";

/** A valid document as the app it describes, with the positions later stages point at. */
export function toAppSpec(app: AppManifest, doc: Document, lineCounter: LineCounter, file: string): AppSpec {
  const { metadata, spec } = app;
  const where = (path: PropertyKey[]) => positionOf(doc, path, lineCounter, file, false);
  const positions: Record<string, SourcePosition> = {};
  const record = (path: PropertyKey[]) => (positions[formatPath(path)] = where(path));
  for (const field of ["image", "replicas", "node", "persistent", "volumes", "ports"])
    record(["spec", field]);
  record(["metadata", "name"]);
  if (spec.serviceName !== undefined) record(["spec", "serviceName"]);
  spec.volumes.forEach((_, i) => {
    for (const field of [[], ["name"], ["hostPath"], ["external"], ["containerPath"]])
      record(["spec", "volumes", i, ...field]);
  });
  spec.ports.forEach((_, i) => {
    for (const field of [[], ["target"], ["published"]]) record(["spec", "ports", i, ...field]);
  });
  spec.networks?.forEach((_, i) => {
    for (const field of [[], ["name"], ["aliases"]]) record(["spec", "networks", i, ...field]);
  });
  for (const kind of ["secrets", "configs"] as const) {
    spec[kind]?.forEach((_, i) => {
      for (const field of [[], ["name"], ["target"], ["mode"]]) record(["spec", kind, i, ...field]);
    });
  }
  if (spec.endpointMode !== undefined) record(["spec", "endpointMode"]);
  for (const path of deployPaths(spec)) record(["spec", ...path]);
  const volumes = spec.volumes.map((v): VolumeSpec => {
    const mount = { containerPath: v.containerPath, readOnly: v.readOnly };
    if (v.hostPath !== undefined) return { kind: "host", hostPath: v.hostPath, ...mount };
    if (v.external !== undefined) return { kind: "external", name: v.external, ...mount };
    return { kind: "named", name: v.name ?? "", ...mount };
  });
  return {
    name: metadata.name,
    labels: metadata.labels,
    annotations: metadata.annotations,
    image: spec.image,
    persistent: spec.persistent,
    replicas: spec.replicas ?? 1,
    ...(spec.node !== undefined ? { node: spec.node } : {}),
    ...(spec.serviceName !== undefined ? { serviceName: spec.serviceName } : {}),
    ...(spec.command !== undefined ? { command: spec.command } : {}),
    ...(spec.args !== undefined ? { args: spec.args } : {}),
    env: spec.env,
    ports: spec.ports.map((p) => ({
      target: p.target,
      protocol: p.protocol,
      ...(p.published !== undefined ? { published: p.published } : {}),
    })),
    volumes,
    ...resourcesOf(spec.resources),
    ...refsOf(spec),
    ...deployOf(spec),
    file,
    source: positionAt(doc.contents?.range?.[0] ?? doc.range?.[0] ?? 0, lineCounter, file),
    positions,
  };
}

/**
 * The references to other documents, with Docker's defaults filled in. An app that sets none of
 * them gets none of the keys: its service's hash must not change.
 */
function refsOf(
  spec: AppManifest["spec"],
): Pick<AppSpec, "networks" | "endpointMode" | "secrets" | "configs"> {
  const mounts = (kind: "secrets" | "configs"): AppFileRef[] | undefined =>
    spec[kind]?.map((ref) => ({
      name: ref.name,
      target: targetOf(kind, ref.name, ref.target),
      uid: ref.uid,
      gid: ref.gid,
      mode: ref.mode,
    }));
  const secrets = mounts("secrets");
  const configs = mounts("configs");
  return {
    ...(spec.networks !== undefined
      ? { networks: spec.networks.map((n) => ({ name: n.name, aliases: n.aliases })) }
      : {}),
    ...(spec.endpointMode !== undefined ? { endpointMode: spec.endpointMode } : {}),
    ...(secrets !== undefined ? { secrets } : {}),
    ...(configs !== undefined ? { configs } : {}),
  };
}

/** `spec.resources` in Swarm's units; nothing when it sets no amount. */
function resourcesOf(resources: AppManifest["spec"]["resources"]): { resources?: ResourceSpec } {
  const amounts = (
    set: { cpus?: number; memory?: string | number } | undefined,
  ): ResourceAmounts | undefined => {
    if (set === undefined) return undefined;
    const out: ResourceAmounts = {};
    if (set.cpus !== undefined) out.nanoCpus = nanoCpus(set.cpus);
    const bytes = set.memory === undefined ? undefined : memoryBytes(set.memory);
    if (bytes !== undefined) out.memoryBytes = bytes;
    return Object.keys(out).length > 0 ? out : undefined;
  };
  const limits = amounts(resources?.limits);
  const reservations = amounts(resources?.reservations);
  if (limits === undefined && reservations === undefined) return {};
  return { resources: { ...(limits ? { limits } : {}), ...(reservations ? { reservations } : {}) } };
}

/** Where a field's value (or key) is; the document's start when the field is not there. */
export function positionOf(
  doc: Document,
  path: readonly PropertyKey[],
  lineCounter: LineCounter,
  file: string,
  atKey: boolean,
): SourcePosition {
  const found = nodeAt(doc, path, { key: atKey });
  if (found) return nodePosition(found.node, lineCounter, file);
  return positionAt(doc.range?.[0] ?? 0, lineCounter, file);
}
