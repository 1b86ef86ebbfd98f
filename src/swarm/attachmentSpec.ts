import type Docker from "dockerode";
import type { SwarmIds } from "./swarmIds.js";
import type { FileMountFields, NetworkAttachmentFields, ServiceFields } from "./types.js";

/**
 * The networks, endpoint mode, secrets and configs of a service, both ways: written next to each
 * other because `fieldsFromSpec` must read back exactly what `specFromFields` writes.
 * Empty lists are not written (Swarm drops them anyway) and read back as absent.
 */

/** `TaskTemplate.Networks`, by name as Swarm accepts it on create and update, or by ID. */
export function networksSpec(
  networks: readonly NetworkAttachmentFields[] | undefined,
  ids: SwarmIds,
): Docker.NetworkAttachmentConfig[] | undefined {
  if (!networks || networks.length === 0) return undefined;
  return networks.map((network) => ({ Target: ids.network(network.network), Aliases: [...network.aliases] }));
}

/**
 * Swarm stores network IDs in `Target`: `networkNames` maps them back. A target it does not know
 * (a name from our own spec, or a network removed since) is kept as it is, sorted by name.
 */
export function networksFromSpec(
  networks: readonly Docker.NetworkAttachmentConfig[] | undefined,
  networkNames: ReadonlyMap<string, string>,
): NetworkAttachmentFields[] | undefined {
  if (!networks || networks.length === 0) return undefined;
  return networks
    .map((network) => {
      const target = network.Target ?? "";
      return { network: networkNames.get(target) ?? target, aliases: [...(network.Aliases ?? [])] };
    })
    .sort((a, b) => compare(a.network, b.network));
}

/** Swarm fills in `vip` when no mode is given, so only `dnsrr` is read (absent is vip). */
export function endpointModeFromSpec(mode: string | undefined): ServiceFields["endpointMode"] {
  return mode === "dnsrr" ? "dnsrr" : undefined;
}

export function secretsSpec(
  secrets: readonly FileMountFields[] | undefined,
  ids: SwarmIds,
): Docker.SecretReference[] | undefined {
  if (!secrets || secrets.length === 0) return undefined;
  return secrets.map((secret) => ({
    File: fileSpec(secret),
    SecretID: ids.secret(secret.source),
    SecretName: secret.source,
  }));
}

export function configsSpec(
  configs: readonly FileMountFields[] | undefined,
  ids: SwarmIds,
): Docker.ConfigReference[] | undefined {
  if (!configs || configs.length === 0) return undefined;
  return configs.map((config) => ({
    File: fileSpec(config),
    ConfigID: ids.config(config.source),
    ConfigName: config.source,
  }));
}

/** Read by name (the ID changes with every new content; the name carries its hash), sorted by target. */
export function fileMountsFromSpec<T extends Docker.SecretReference | Docker.ConfigReference>(
  references: readonly T[] | undefined,
  nameOf: (reference: T) => string | undefined,
): FileMountFields[] | undefined {
  if (!references || references.length === 0) return undefined;
  return references
    .map((reference) => ({
      source: nameOf(reference) ?? "",
      target: reference.File?.Name ?? "",
      uid: reference.File?.UID ?? "0",
      gid: reference.File?.GID ?? "0",
      mode: reference.File?.Mode ?? 0o444,
    }))
    .sort((a, b) => compare(a.target, b.target));
}

function fileSpec(mount: FileMountFields): { Name: string; UID: string; GID: string; Mode: number } {
  return { Name: mount.target, UID: mount.uid, GID: mount.gid, Mode: mount.mode };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
